"""Text, baselines, training and the sampling explorer for notebook 11 (a character-level LM).

The math (the loss and its gradient, sampling, Adagrad) lives in ``rnn_core``; this module
makes text into token ids and back, counts the baseline models, runs the chunked training
loop with a progress bar and wires the sampling explorer's widgets. It is imported by the
notebook and tested without a kernel by ``tests/test_rnn_text.py``.

Text (nothing downloaded; no one's prose copied)
    course_text(n_sentences, *, seed=0) -> str: sentences from a small grammar written here
    zen_of_python() -> str: the Zen of Python, decoded from the ``this`` module
    Vocabulary(text): .chars, .size, .encode(text) -> ids, .decode(ids) -> str
    split_ids(ids, val_fraction=0.1) -> (train_ids, val_ids), contiguous

Baselines and perplexity (all on the same positions: ids[1:] predicted from what precedes)
    perplexity(loss) -> exp(loss)
    unigram_loss(train_ids, eval_ids, vocab_size, *, smoothing=1.0) -> mean -log p
    bigram_loss(train_ids, eval_ids, vocab_size, *, smoothing=1.0) -> mean -log p
    rnn_loss(params, eval_ids) -> mean -log p of the RNN reading eval_ids from h_0 = 0

Training (truncated BPTT over a long text, state carried from chunk to chunk)
    train_lm(train_ids, *, hidden_size, ...) -> LMTrainResult(params, losses, ...)

Generating
    generate(params, vocab, prime, length, *, temperature=1.0, seed=None) -> str

Explorer (the contract the browser tests rely on, as in rnn_viz)
    explorer = SamplingExplorer(params, vocab, prime="the ", length=300)
        explorer.widget    the ipywidgets.VBox shown in the notebook, CSS class "rnn-explorer";
                           displaying ``explorer`` itself shows it
        explorer.sliders   {"temperature": FloatLogSlider (base 10, 0.05 .. 3),
                            "length": IntSlider}, continuous_update=False
        explorer.prime     ipywidgets.Text, CSS class "rnn-prime" (redraws on Enter / blur)
        explorer.button    ipywidgets.Button "sample again", CSS class "rnn-sample-again":
                           draws with the next seed
        explorer.status    ipywidgets.HTML, CSS class "rnn-status": how the last redraw ended
        explorer.output    ipywidgets.HTML, CSS class "rnn-text": the generated text in <pre>
        explorer.last_text the last generated text (prime included)
        explorer.draw      how many times "sample again" was pressed (the seed is seed + draw)
        explorer.last_error, explorer.last_seconds, explorer.update(), explorer.values()
    Setting ``explorer.sliders["temperature"].value = v`` redraws synchronously.
"""

import html
import math
import time
from dataclasses import dataclass, field

import ipywidgets as widgets
import numpy as np
from threadpoolctl import threadpool_limits

import rnn_core

# --------------------------------------------------------------------------------------
# Text
# --------------------------------------------------------------------------------------

# A small grammar, written for this course: the text the model learns from. Its rules are
# known, so we can tell what the model picked up: spelling, word order, capitals, full stops,
# and one rule that needs memory: the verb agrees with a subject several characters back
# ("the network reads", "the networks read").
_SUBJECTS = [("the network", False), ("the networks", True), ("a hidden unit", False),
             ("two hidden units", True), ("every student", False), ("the students", True),
             ("my model", False), ("our models", True), ("the teacher", False),
             ("the gradients", True)]
_VERBS = ["read", "remember", "forget", "predict", "learn", "follow", "explain", "sample",
          "repeat", "keep"]
_OBJECTS = ["the next letter", "a short word", "the hidden state", "every character",
            "the first input", "a small number", "the whole text", "one more step",
            "the last sentence", "a new line"]
_ENDINGS = ["", "", "", " again", " slowly", " at every step", " through time",
            " without a teacher", " with a tiny error", " before the end"]


def course_text(n_sentences, *, seed=0):
    """Sentences drawn from the small grammar above, a few per line, as one string.

    Each sentence is "Subject verb object[ ending]." with a capital first letter; the verb
    takes an "s" after a singular subject. n_sentences: a positive int; seed: int or
    np.random.Generator (the same seed gives the same text).
    """
    n_sentences = rnn_core._check_size(n_sentences, "n_sentences")
    rng = rnn_core._as_generator(seed)
    lines, line = [], []
    for _ in range(n_sentences):
        subject, plural = _SUBJECTS[rng.integers(len(_SUBJECTS))]
        verb = _VERBS[rng.integers(len(_VERBS))] + ("" if plural else "s")
        sentence = (f"{subject} {verb} {_OBJECTS[rng.integers(len(_OBJECTS))]}"
                    f"{_ENDINGS[rng.integers(len(_ENDINGS))]}.")
        line.append(sentence[0].upper() + sentence[1:])
        if len(line) == rng.integers(2, 5):
            lines.append(" ".join(line))
            line = []
    if line:
        lines.append(" ".join(line))
    return "\n".join(lines) + "\n"


def zen_of_python():
    """The Zen of Python (``import this``), decoded from the rot13 text the module stores."""
    import codecs
    import contextlib
    import io
    with contextlib.redirect_stdout(io.StringIO()):    # importing `this` prints the poem
        import this
    return codecs.decode(this.s, "rot13") + "\n"


class Vocabulary:
    """The characters of a text, sorted, and the maps between characters and ids.

    vocab = Vocabulary(text): vocab.chars (list of str), vocab.size V,
    vocab.encode(text) -> int array (len(text),), vocab.decode(ids) -> str.
    """

    def __init__(self, text):
        if not isinstance(text, str) or not text:
            raise ValueError(f"text must be a non-empty str, got {text!r:.40}")
        self.chars = sorted(set(text))
        self.size = len(self.chars)
        self._index = {char: i for i, char in enumerate(self.chars)}

    def encode(self, text):
        """text (str) -> ids, an int array (len(text),); ValueError for unknown characters."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}")
        unknown = sorted(set(text) - self._index.keys())
        if unknown:
            raise ValueError(f"text contains characters that are not in the vocabulary: "
                             f"{''.join(unknown)!r}; the vocabulary is {''.join(self.chars)!r}")
        return np.array([self._index[char] for char in text], dtype=np.intp)

    def decode(self, ids):
        """ids (a sequence of ints in [0, V)) -> str."""
        return "".join(self.chars[i] for i in np.asarray(ids).tolist())

    def __repr__(self):
        return f"Vocabulary(size={self.size}, chars={''.join(self.chars)!r})"


def split_ids(ids, val_fraction=0.1):
    """Split a text's ids into a training part and a validation part that follows it.

    A contiguous split (not a random one): the validation text is text the model never read.
    Returns (train_ids, val_ids), views of ids.
    """
    ids = np.asarray(ids)
    if not 0.0 < val_fraction < 1.0:
        raise ValueError(f"val_fraction must be between 0 and 1, got {val_fraction!r}")
    n_val = int(round(len(ids) * val_fraction))
    if n_val < 2 or len(ids) - n_val < 2:
        raise ValueError(f"ids of length {len(ids)} is too short to split with "
                         f"val_fraction={val_fraction}")
    return ids[:-n_val], ids[-n_val:]


# --------------------------------------------------------------------------------------
# Baselines and perplexity
# --------------------------------------------------------------------------------------

def perplexity(loss):
    """exp(loss): the perplexity of a mean cross-entropy in nats (Eq. (11.8))."""
    return math.exp(loss)


def unigram_loss(train_ids, eval_ids, vocab_size, *, smoothing=1.0):
    """Mean -log p(c) over eval_ids[1:], with p counted from train_ids (add-`smoothing`)."""
    counts = np.bincount(train_ids, minlength=vocab_size) + smoothing
    log_p = np.log(counts / counts.sum())
    return float(-np.mean(log_p[np.asarray(eval_ids)[1:]]))


def bigram_loss(train_ids, eval_ids, vocab_size, *, smoothing=1.0):
    """Mean -log p(next | previous) over the pairs of eval_ids, p counted from train_ids.

    counts[a, b] = how often b follows a in the training text, plus `smoothing` (add-one by
    default, so that a pair never seen still has a small probability).
    """
    train_ids, eval_ids = np.asarray(train_ids), np.asarray(eval_ids)
    counts = np.full((vocab_size, vocab_size), float(smoothing))
    np.add.at(counts, (train_ids[:-1], train_ids[1:]), 1.0)
    log_p = np.log(counts / counts.sum(axis=1, keepdims=True))
    return float(-np.mean(log_p[eval_ids[:-1], eval_ids[1:]]))


def rnn_loss(params, eval_ids):
    """Mean -log p of the RNN over eval_ids[1:], reading eval_ids from h_0 = 0."""
    eval_ids = np.asarray(eval_ids)
    return rnn_core.lm_loss_and_grads(params, eval_ids[:-1], eval_ids[1:])[0]


# --------------------------------------------------------------------------------------
# Training
# --------------------------------------------------------------------------------------

@dataclass
class LMTrainResult:
    """What ``train_lm`` returns.

    params: the trained parameters.
    losses: the training loss of every chunk (before its update), a list of floats.
    epoch_ends: len(losses) at the end of each epoch (to mark epochs on a plot).
    val_losses: the validation loss after each epoch, if val_ids was given, else [].
    seconds: how long training took.
    """
    params: dict
    losses: list = field(default_factory=list)
    epoch_ends: list = field(default_factory=list)
    val_losses: list = field(default_factory=list)
    seconds: float = 0.0


def train_lm(train_ids, *, hidden_size, seq_length=25, batch_size=32, epochs=1,
             learning_rate=0.1, clip_norm=5.0, init_scale=0.01, seed=0, val_ids=None,
             progress=False):
    """Train a character-level RNN with truncated BPTT and Adagrad, as min-char-rnn does.

    The training text is cut into ``batch_size`` streams side by side (rows), and each
    epoch walks along them in chunks of ``seq_length`` characters. The hidden state is
    carried from one chunk to the next (``h_last`` becomes the next ``h0``) but the gradient
    stops at the chunk's start: truncated BPTT. Every gradient is clipped to ``clip_norm``
    (global norm) and applied with ``rnn_core.adagrad_step``.

    train_ids: int array of token ids; the vocabulary size V (input and output size of the
        model) is one more than the largest id in train_ids and val_ids.
    hidden_size H, seq_length T, batch_size B, epochs: positive ints.
    learning_rate, clip_norm, init_scale: positive numbers. seed: for the initial weights.
    val_ids: optional ids scored with ``rnn_loss`` after every epoch.
    progress: show an ipywidgets progress bar (in a notebook) while training.
    Returns an ``LMTrainResult``.
    """
    train_ids = np.asarray(train_ids)
    vocab_size = int(train_ids.max()) + 1
    if val_ids is not None:
        vocab_size = max(vocab_size, int(np.max(val_ids)) + 1)
    B = rnn_core._check_size(batch_size, "batch_size")
    T = rnn_core._check_size(seq_length, "seq_length")
    epochs = rnn_core._check_size(epochs, "epochs")
    clip_norm = rnn_core._check_positive_number(clip_norm, "clip_norm")
    # B streams side by side: stream b is the b-th of B consecutive pieces of the text.
    stream_length = len(train_ids) // B
    if stream_length < 2:
        raise ValueError(f"train_ids of length {len(train_ids)} is too short for "
                         f"batch_size {B}")
    streams = train_ids[:B * stream_length].reshape(B, stream_length)
    starts = range(0, stream_length - 1, T)
    params = rnn_core.init_params(vocab_size, hidden_size, vocab_size, scale=init_scale,
                                  seed=seed)
    memory = None
    result = LMTrainResult(params=params)
    bar = _progress_bar(epochs * len(starts)) if progress else None
    start_time = time.perf_counter()
    # One BLAS thread: these products are small, and on a busy machine a second BLAS thread
    # waiting for a core made training up to 10x slower (as in rnn_viz's explorers).
    with threadpool_limits(limits=1, user_api="blas"):
        for _ in range(epochs):
            h = None                                 # each epoch starts from h_0 = 0
            for start in starts:
                inputs = streams[:, start:start + T]
                targets = streams[:, start + 1:start + T + 1]
                inputs = inputs[:, :targets.shape[1]]          # the last chunk may be shorter
                loss, grads, h = rnn_core.lm_loss_and_grads(params, inputs, targets, h)
                grads = rnn_core.clip_grads(grads, clip_norm)
                params, memory = rnn_core.adagrad_step(params, grads, memory,
                                                       learning_rate=learning_rate)
                result.losses.append(loss)
                if bar is not None and len(result.losses) % bar.step == 0:
                    bar.value = len(result.losses)
            result.epoch_ends.append(len(result.losses))
            if val_ids is not None:
                result.val_losses.append(rnn_loss(params, val_ids))
    result.params = params
    result.seconds = time.perf_counter() - start_time
    if bar is not None:
        # Replace the bar by a line of text: what a notebook stores and shows without a kernel.
        bar.handle.update({"text/plain": f"trained: {len(result.losses)} updates in "
                                         f"{result.seconds:.1f} s"}, raw=True)
        bar.close()
    return result


def _progress_bar(total):
    """An ipywidgets progress bar, displayed; .step says how often it is worth updating."""
    from IPython.display import display
    bar = widgets.IntProgress(value=0, min=0, max=total, description="training",
                              layout=widgets.Layout(width="430px"))
    bar.step = max(1, total // 100)              # about 100 updates: each is a message
    bar.handle = display(bar, display_id=True)
    return bar


# --------------------------------------------------------------------------------------
# Generating
# --------------------------------------------------------------------------------------

def generate(params, vocab, prime, length, *, temperature=1.0, seed=None):
    """The prime text followed by ``length`` characters sampled from the RNN.

    The RNN first reads the prime (all but its last character set the state h); then
    ``rnn_core.sample`` starts from the prime's last character with that state.
    prime: a non-empty str of characters in the vocabulary. Other arguments as for
    ``rnn_core.sample``. Returns a str of len(prime) + length characters.
    """
    if not isinstance(prime, str) or not prime:
        raise ValueError(f"prime must be a non-empty str (the text to continue), got {prime!r}")
    ids = vocab.encode(prime)
    h = None
    if len(ids) > 1:        # read the prime; only the final state h_last is used
        h = rnn_core.lm_loss_and_grads(params, ids[:-1], ids[1:])[2]
    drawn = rnn_core.sample(params, int(ids[-1]), length, h0=h, temperature=temperature,
                            seed=seed)
    return prime + vocab.decode(drawn)


# --------------------------------------------------------------------------------------
# The sampling explorer
# --------------------------------------------------------------------------------------

class SamplingExplorer:
    """A temperature slider, a prime-text box and a "sample again" button over ``generate``.

    params, vocab: the trained model and its Vocabulary. prime: the starting text.
    length: characters to generate. temperature: the starting temperature. seed: the seed of
    the first draw; "sample again" moves on to seed + 1, seed + 2, ... (see the module
    docstring for the attributes the browser tests use).
    """

    title = "Sampling explorer: move the temperature, change the prime, sample again"

    def __init__(self, params, vocab, *, prime="the ", length=300, temperature=0.5, seed=0):
        self.params, self.vocab, self.seed = params, vocab, seed
        self.draw = 0
        self.sliders = {
            "temperature": widgets.FloatLogSlider(
                value=temperature, base=10, min=math.log10(0.05), max=math.log10(3.0),
                step=0.05, description="temperature", readout_format=".2f"),
            "length": widgets.IntSlider(value=length, min=20, max=1000, step=20,
                                        description="length"),
        }
        for slider in self.sliders.values():
            slider.continuous_update = False
            slider.style = {"description_width": "110px"}
            slider.layout = widgets.Layout(width="430px")
            slider.observe(self._on_change, names="value")
        self.prime = widgets.Text(value=prime, description="prime text",
                                  continuous_update=False, style={"description_width": "110px"},
                                  layout=widgets.Layout(width="430px"))
        self.prime.add_class("rnn-prime")
        self.prime.observe(self._on_change, names="value")
        self.button = widgets.Button(description="sample again", icon="refresh")
        self.button.add_class("rnn-sample-again")
        self.button.on_click(self._on_click)
        self.status = widgets.HTML(value="")
        self.status.add_class("rnn-status")
        self.output = widgets.HTML(value="")
        self.output.add_class("rnn-text")
        heading = widgets.HTML(value=f"<b>{html.escape(self.title)}</b>")
        controls = widgets.HBox([widgets.VBox(list(self.sliders.values())),
                                 widgets.VBox([self.prime, self.button])])
        self.widget = widgets.VBox([heading, controls, self.status, self.output])
        self.widget.add_class("rnn-explorer")
        self.last_text = None
        self.last_error = None
        self.last_seconds = None
        self.update()

    def values(self):
        """The current control values: temperature, length, prime and the seed of this draw."""
        return {"temperature": self.sliders["temperature"].value,
                "length": self.sliders["length"].value,
                "prime": self.prime.value, "seed": self.seed + self.draw}

    def _repr_mimebundle_(self, include=None, exclude=None):
        """The widget, plus a static copy of the first sample for renderers without a kernel.

        A live JupyterLab shows the widget; GitHub, nbconvert and a notebook opened before it
        runs (the course saves no widget state) show the sample text and a one-line note.
        """
        data = self.widget._repr_mimebundle_(include=include, exclude=exclude)
        note = f"{self.title}: an interactive explorer. Run the notebook to move the slider."
        data["text/plain"] = note + (f"\n\n{self.last_text}" if self.last_text else "")
        data["text/html"] = f"<p><i>{html.escape(note)}</i></p>{self.output.value}"
        return data

    def _on_change(self, change):
        self.update()

    def _on_click(self, button):
        self.draw += 1
        self.update()

    def update(self):
        """Generate again from the current values and show the text (synchronously)."""
        start = time.perf_counter()
        values = self.values()
        try:
            text = generate(self.params, self.vocab, values["prime"], values["length"],
                            temperature=values["temperature"], seed=values["seed"])
        except Exception as error:  # shown to the student, not swallowed
            self.last_error = error
            self.last_seconds = time.perf_counter() - start
            self.status.value = (f"<span style='color:#b00'><b>error:</b> "
                                 f"{html.escape(type(error).__name__)}: "
                                 f"{html.escape(str(error))}</span>")
            return
        self.last_error, self.last_text = None, text
        self.last_seconds = time.perf_counter() - start
        prime_length = len(values["prime"])
        self.status.value = (f"temperature {values['temperature']:.2f}, seed {values['seed']}, "
                             f"{values['length']} characters <span style='color:#777'>"
                             f"(generated in {self.last_seconds:.3f} s)</span>")
        # The prime in bold, the generated text after it; <pre> keeps the line breaks.
        self.output.value = (
            "<pre style='font-size:14px; line-height:1.35; white-space:pre-wrap; "
            "word-break:normal; overflow-wrap:normal'>"
            f"<b>{html.escape(text[:prime_length])}</b>{html.escape(text[prime_length:])}"
            "</pre>")
