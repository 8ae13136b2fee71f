"""Text, baselines, training and the sampling explorer for notebook 11 (a character-level LM).

The math (the loss and its gradient, sampling, Adagrad) lives in ``rnn_core``; this module
makes text into token ids and back, counts the baseline models, runs the chunked training
loop with a progress bar and wires the sampling explorer's widgets. It is imported by the
notebook and tested without a kernel by ``tests/test_rnn_text.py``. Every public function
checks its arguments and names the one that is wrong.

Text (nothing downloaded; no one's prose copied)
    course_text(n_sentences, *, seed=0) -> str: sentences from a small grammar written here
    grammar_entropy_rate() -> float: that grammar's exact entropy rate, nats per character
    zen_of_python() -> str: the Zen of Python, decoded from the ``this`` module
    Vocabulary(text): .chars, .size, .encode(text) -> ids, .decode(ids) -> str
    split_ids(ids, val_fraction=0.1) -> (train_ids, val_ids), contiguous

Baselines and perplexity (all on the same positions: ids[1:] predicted from what precedes)
    perplexity(loss) -> exp(loss)
    unigram_loss(train_ids, eval_ids, vocab_size, *, smoothing=1.0) -> mean -log p
    bigram_loss(train_ids, eval_ids, vocab_size, *, smoothing=1.0) -> mean -log p
    ngram_loss(train_ids, eval_ids, vocab_size, order) -> mean -log p (absolute discounting)
    rnn_loss(params, eval_ids) -> mean -log p of the RNN reading eval_ids from h_0 = 0

Training (truncated BPTT over a long text, state carried from chunk to chunk)
    train_lm(train_ids, *, hidden_size, ..., weight_grid=None) -> LMTrainResult(params, ...)

Generating
    generate(params, vocab, prime, length, *, temperature=1.0, seed=None) -> str
    wrap(text, width=76) -> text folded at spaces, for printing

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

import collections
import html
import math
import textwrap
import time
from dataclasses import dataclass, field
from numbers import Integral, Real

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
_LINE_LENGTHS = (2, 3, 4)              # sentences per line, one drawn uniformly for each line


def course_text(n_sentences, *, seed=0):
    """Sentences drawn from the small grammar above, 2 to 4 per line, as one string.

    Each sentence is "Subject verb object[ ending]." with a capital first letter; the verb
    takes an "s" after a singular subject. Each line's number of sentences is drawn once,
    uniformly from 2, 3 and 4, when the line starts; the sentences of a line are separated by
    a space and the line ends with a newline (the last line may be cut short by n_sentences).
    n_sentences: a positive int; seed: int or np.random.Generator (the same seed gives the
    same text).
    """
    n_sentences = rnn_core._check_size(n_sentences, "n_sentences")
    rng = rnn_core._as_generator(seed)
    lines, line, line_length = [], [], None
    for _ in range(n_sentences):
        if line_length is None:
            line_length = int(rng.integers(_LINE_LENGTHS[0], _LINE_LENGTHS[-1] + 1))
        subject, plural = _SUBJECTS[rng.integers(len(_SUBJECTS))]
        verb = _VERBS[rng.integers(len(_VERBS))] + ("" if plural else "s")
        sentence = (f"{subject} {verb} {_OBJECTS[rng.integers(len(_OBJECTS))]}"
                    f"{_ENDINGS[rng.integers(len(_ENDINGS))]}.")
        line.append(sentence[0].upper() + sentence[1:])
        if len(line) == line_length:
            lines.append(" ".join(line))
            line, line_length = [], None
    if line:
        lines.append(" ".join(line))
    return "\n".join(lines) + "\n"


def grammar_entropy_rate():
    """The exact entropy rate of ``course_text``, in nats per character: the floor of the loss.

    No model, however good, predicts the text with a lower mean cross-entropy (11.3) in the
    long run. The text is a sequence of lines, independent of each other; a line is its
    number of sentences L (uniform on 2, 3, 4) and L independent sentences, and the string
    of a line tells all of these apart (a sentence ends with ".", a line with a newline). So
    the entropy per character is the entropy of a line over its expected number of characters:

        rate = (E[L] H_sentence + H_L) / (E[L] (E[len(sentence)] + 1)),

    where H_sentence is the entropy of one sentence's string (the three empty endings give the
    same string, so that string has probability 3/10 among the endings) and the + 1 is the
    space or newline after each sentence.
    """
    sentence_entropy = expected_length = 0.0
    endings = {ending: _ENDINGS.count(ending) / len(_ENDINGS) for ending in _ENDINGS}
    p_rest = 1.0 / (len(_SUBJECTS) * len(_VERBS) * len(_OBJECTS))
    for subject, plural in _SUBJECTS:
        for verb in _VERBS:
            for obj in _OBJECTS:
                for ending, p_ending in endings.items():
                    p = p_rest * p_ending
                    length = (len(subject) + 1 + len(verb) + (0 if plural else 1) + 1
                              + len(obj) + len(ending) + 1)
                    sentence_entropy -= p * math.log(p)
                    expected_length += p * length
    mean_l = float(np.mean(_LINE_LENGTHS))
    line_entropy = math.log(len(_LINE_LENGTHS))
    return (mean_l * sentence_entropy + line_entropy) / (mean_l * (expected_length + 1.0))


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
        """ids (a 1-D sequence of ints in [0, V)) -> str."""
        ids = _check_text_ids(ids, "ids", self.size, "the vocabulary size V (vocab.size)",
                              min_length=0)
        return "".join([self.chars[i] for i in ids.tolist()])

    def __repr__(self):
        return f"Vocabulary(size={self.size}, chars={''.join(self.chars)!r})"


def split_ids(ids, val_fraction=0.1):
    """Split a text's ids into a training part and a validation part that follows it.

    A contiguous split (not a random one): the validation text is text the model never read.
    ids: 1-D int array; val_fraction: a number in (0, 1). Returns (train_ids, val_ids),
    views of ids, each at least 2 ids long.
    """
    ids = _check_text_ids(ids, "ids")
    val_fraction = rnn_core._check_number(val_fraction, "val_fraction", 0.0, 1.0,
                                          open_low=True, open_high=True)
    n_val = int(round(len(ids) * val_fraction))
    if n_val < 2 or len(ids) - n_val < 2:
        raise ValueError(f"ids of length {len(ids)} is too short to split with "
                         f"val_fraction={val_fraction} (each part needs at least 2 ids)")
    return ids[:-n_val], ids[-n_val:]


def _check_text_ids(ids, name, vocab_size=None, size_name=None, *, min_length=1):
    """ids as a 1-D intp array of length >= min_length (in [0, vocab_size) if given)."""
    try:
        array = np.asarray(ids)
    except (ValueError, TypeError) as error:   # ragged nested lists, for example
        raise TypeError(f"{name} must be a 1-D array of integer token ids: {error}") from None
    if array.dtype.kind not in "iu" and not (array.size == 0 and array.dtype.kind == "f"):
        hint = (" (whole numbers stored as floats, like 1.0, are not ids: convert with "
                ".astype(int))" if array.dtype.kind == "f" else "")
        raise TypeError(f"{name} must be an array of integer token ids, got dtype "
                        f"{array.dtype}{hint}")
    if array.ndim != 1:
        raise ValueError(f"{name} has shape {array.shape}; expected (n,): the ids of one text")
    if len(array) < min_length:
        raise ValueError(f"{name} has {len(array)} ids but at least {min_length} are needed")
    if array.size and (array.min() < 0 or (vocab_size is not None and array.max() >= vocab_size)):
        bad = array.min() if array.min() < 0 else array.max()
        where = f"[0, {vocab_size}), {vocab_size} being {size_name}" if vocab_size else ">= 0"
        raise ValueError(f"{name} contains the id {bad} but ids must be in {where}")
    return array.astype(np.intp, copy=False)


# --------------------------------------------------------------------------------------
# Baselines and perplexity
# --------------------------------------------------------------------------------------

def perplexity(loss):
    """exp(loss): the perplexity of a mean cross-entropy in nats (Eq. (11.8)).

    loss: a number >= 0, or inf (a probability 0 somewhere: infinite perplexity).
    """
    if isinstance(loss, Real) and not isinstance(loss, bool) and loss == math.inf:
        return math.inf
    loss = rnn_core._check_number(loss, "loss", 0.0)
    try:
        return math.exp(loss)
    except OverflowError:                      # loss > 709.78: beyond float64, so infinite
        return math.inf


def _check_baseline_arguments(train_ids, eval_ids, vocab_size, smoothing, min_train):
    """The arguments every baseline takes, checked, with the names the caller used."""
    vocab_size = rnn_core._check_size(vocab_size, "vocab_size")
    size_name = "vocab_size"
    train_ids = _check_text_ids(train_ids, "train_ids", vocab_size, size_name,
                                min_length=min_train)
    eval_ids = _check_text_ids(eval_ids, "eval_ids", vocab_size, size_name, min_length=2)
    if smoothing is not None:
        smoothing = rnn_core._check_positive_number(smoothing, "smoothing")
    return train_ids, eval_ids, vocab_size, smoothing


def unigram_loss(train_ids, eval_ids, vocab_size, *, smoothing=1.0):
    """Mean -log p(c) over eval_ids[1:], with p counted from train_ids (add-`smoothing`).

    train_ids: 1-D ids in [0, vocab_size); eval_ids: the same, at least 2 ids;
    smoothing: a positive number added to every count.
    """
    train_ids, eval_ids, vocab_size, smoothing = _check_baseline_arguments(
        train_ids, eval_ids, vocab_size, smoothing, min_train=1)
    counts = np.bincount(train_ids, minlength=vocab_size) + smoothing
    log_p = np.log(counts / counts.sum())
    return float(-np.mean(log_p[eval_ids[1:]]))


def bigram_loss(train_ids, eval_ids, vocab_size, *, smoothing=1.0):
    """Mean -log p(next | previous) over the pairs of eval_ids, p counted from train_ids.

    counts[a, b] = how often b follows a in the training text, plus `smoothing` (add-one by
    default, so that a pair never seen still has a small probability). Arguments as for
    ``unigram_loss``; train_ids needs at least 2 ids (one pair).
    """
    train_ids, eval_ids, vocab_size, smoothing = _check_baseline_arguments(
        train_ids, eval_ids, vocab_size, smoothing, min_train=2)
    counts = np.full((vocab_size, vocab_size), smoothing)
    np.add.at(counts, (train_ids[:-1], train_ids[1:]), 1.0)
    log_p = np.log(counts / counts.sum(axis=1, keepdims=True))
    return float(-np.mean(log_p[eval_ids[:-1], eval_ids[1:]]))


def ngram_loss(train_ids, eval_ids, vocab_size, order):
    """Mean -log p over eval_ids[1:] of a count-based n-gram model of the given order.

    The model predicts a character from the order - 1 characters before it, with counts from
    train_ids, by interpolated absolute discounting (Ney, Essen and Kneser 1994): with
    context h (the last k - 1 characters), h' (h without its first character) and C the
    counts of the training text,

        p_k(c | h) = (max(C(h c) - d_k, 0) + d_k N(h) p_{k-1}(c | h')) / C(h),

    where C(h) counts h followed by any character, N(h) the different characters that follow
    h, and d_k = n_1 / (n_1 + 2 n_2) from the numbers n_1, n_2 of k-grams seen once and twice.
    Every seen k-gram gives d_k of its count to the shorter context, so no character ever gets
    probability 0; p_0 = 1 / vocab_size, and a context never seen uses p_{k-1}. At the start of
    eval_ids the context is shorter (only what precedes in eval_ids). Order 1 is a unigram
    model, order 2 a bigram model. Arguments as for ``bigram_loss``; order: a positive int.
    """
    train_ids, eval_ids, vocab_size, _ = _check_baseline_arguments(
        train_ids, eval_ids, vocab_size, None, min_train=2)
    order = rnn_core._check_size(order, "order")
    # One character per id (chr): the k-grams are short strings, which Python counts fast.
    train = "".join(map(chr, train_ids.tolist()))
    text = "".join(map(chr, eval_ids.tolist()))
    tables = []
    for k in range(1, min(order, len(train)) + 1):
        counts = collections.Counter(train[i:i + k] for i in range(len(train) - k + 1))
        context_counts, followers = collections.Counter(), collections.Counter()
        for gram, count in counts.items():
            context_counts[gram[:-1]] += count
            followers[gram[:-1]] += 1
        n_1 = sum(count == 1 for count in counts.values())
        n_2 = sum(count == 2 for count in counts.values())
        discount = n_1 / (n_1 + 2 * n_2) if n_1 else 0.5
        tables.append((counts, context_counts, followers, discount))
    total = 0.0
    for j in range(1, len(text)):
        char, p = text[j], 1.0 / vocab_size
        for k, (counts, context_counts, followers, discount) in enumerate(tables, start=1):
            if k - 1 > j:                      # no longer context before position j
                break
            context = text[j - k + 1:j]
            seen = context_counts.get(context, 0)
            if seen == 0:                      # never seen: keep the shorter context's p
                break
            p = (max(counts.get(context + char, 0) - discount, 0.0)
                 + discount * followers[context] * p) / seen
        total -= math.log(p)
    return total / (len(text) - 1)


def rnn_loss(params, eval_ids):
    """Mean -log p of the RNN over eval_ids[1:], reading eval_ids from h_0 = 0.

    params: as for ``rnn_core.lm_loss_and_grads``; eval_ids: 1-D ids of one text, at least
    2, in [0, V) (V = params["Wxh"].shape[1]).
    """
    params = rnn_core._check_params(params)
    V, O = params["Wxh"].shape[1], params["Why"].shape[0]
    eval_ids = _check_text_ids(eval_ids, "eval_ids", min(V, O),
                               "the vocabulary size V of params (Wxh.shape[1])"
                               if V <= O else "the output size O of params (Why.shape[0])",
                               min_length=2)
    return rnn_core.lm_loss_and_grads(params, eval_ids[:-1], eval_ids[1:])[0]


# --------------------------------------------------------------------------------------
# Training
# --------------------------------------------------------------------------------------

@dataclass
class LMTrainResult:
    """What ``train_lm`` returns.

    params: the trained parameters.
    losses: the training loss of every chunk (before its update), a list of floats.
    grad_norms: the global norm of every chunk's gradient before clipping (Eq. (9.2)).
    epoch_ends: len(losses) at the end of each epoch (to mark epochs on a plot).
    val_losses: the validation loss after each epoch, if val_ids was given, else [].
    seconds: how long training took.
    """
    params: dict
    losses: list = field(default_factory=list)
    grad_norms: list = field(default_factory=list)
    epoch_ends: list = field(default_factory=list)
    val_losses: list = field(default_factory=list)
    seconds: float = 0.0


def train_lm(train_ids, *, hidden_size, seq_length=25, batch_size=32, epochs=1,
             learning_rate=0.1, clip_norm=5.0, init_scale=0.01, seed=0, val_ids=None,
             weight_grid=None, progress=False):
    """Train a character-level RNN with truncated BPTT and Adagrad, as min-char-rnn does.

    The training text is cut into ``batch_size`` streams side by side (rows), and each
    epoch walks along them in chunks of ``seq_length`` characters. The hidden state is
    carried from one chunk to the next (``h_last`` becomes the next ``h0``) but the gradient
    stops at the chunk's start: truncated BPTT. Every gradient is clipped to ``clip_norm``
    (global norm) and applied with ``rnn_core.adagrad_step``.

    train_ids: 1-D int array of token ids; the vocabulary size V (input and output size of
        the model) is one more than the largest id in train_ids and val_ids.
    hidden_size H, seq_length T, batch_size B, epochs: positive ints.
    learning_rate, clip_norm, init_scale: positive numbers. seed: for the initial weights.
    val_ids: optional 1-D ids (at least 2) scored with ``rnn_loss`` after every epoch.
    weight_grid: None, or a positive number: after every update each weight is rounded to
        the nearest multiple of it, np.round(w / grid) * grid (exact for a power of two such
        as 2**-20). Machines whose sums differ in the last bit then train the same weights.
    progress: show an ipywidgets progress bar while training (in a notebook with a kernel;
        elsewhere nothing is shown).
    Returns an ``LMTrainResult``.
    """
    train_ids = _check_text_ids(train_ids, "train_ids")
    vocab_size = int(train_ids.max()) + 1
    if val_ids is not None:
        val_ids = _check_text_ids(val_ids, "val_ids", min_length=2)
        vocab_size = max(vocab_size, int(val_ids.max()) + 1)
    B = rnn_core._check_size(batch_size, "batch_size")
    T = rnn_core._check_size(seq_length, "seq_length")
    epochs = rnn_core._check_size(epochs, "epochs")
    learning_rate = rnn_core._check_positive_number(learning_rate, "learning_rate")
    clip_norm = rnn_core._check_positive_number(clip_norm, "clip_norm")
    if weight_grid is not None:
        weight_grid = rnn_core._check_positive_number(weight_grid, "weight_grid")
    progress = rnn_core._check_bool(progress, "progress")
    # B streams side by side: stream b is the b-th of B consecutive pieces of the text.
    stream_length = len(train_ids) // B
    if stream_length < 2:
        raise ValueError(f"train_ids of length {len(train_ids)} is too short for "
                         f"batch_size {B} (each of the B streams needs at least 2 ids)")
    streams = train_ids[:B * stream_length].reshape(B, stream_length)
    starts = range(0, stream_length - 1, T)
    params = rnn_core._init_params(vocab_size, hidden_size, vocab_size, init_scale, seed,
                                   "init_scale")
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
                result.grad_norms.append(rnn_core.global_norm(grads))
                grads = rnn_core.clip_grads(grads, clip_norm)
                params, memory = rnn_core.adagrad_step(params, grads, memory,
                                                       learning_rate=learning_rate)
                if weight_grid is not None:
                    params = {name: np.round(value / weight_grid) * weight_grid
                              for name, value in params.items()}
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
    """An ipywidgets progress bar, displayed, or None where no kernel can show a widget.

    .step says how often the bar is worth updating.
    """
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        return None
    shell = get_ipython()
    if shell is None or getattr(shell, "kernel", None) is None:   # a script, a terminal
        return None
    bar = widgets.IntProgress(value=0, min=0, max=total, description="training",
                              layout=widgets.Layout(width="430px"))
    bar.step = max(1, total // 100)              # about 100 updates: each is a message
    bar.handle = display(bar, display_id=True)
    return bar if bar.handle is not None else None


# --------------------------------------------------------------------------------------
# Generating
# --------------------------------------------------------------------------------------

def generate(params, vocab, prime, length, *, temperature=1.0, seed=None):
    """The prime text followed by ``length`` characters sampled from the RNN.

    The RNN first reads the prime (all but its last character set the state h); then
    ``rnn_core.sample`` starts from the prime's last character with that state.
    vocab: the Vocabulary the model was trained with (vocab.size = V = O of params).
    prime: a non-empty str of characters in the vocabulary. Other arguments as for
    ``rnn_core.sample``. Returns a str of len(prime) + length characters.
    """
    params = rnn_core._check_params(params)
    _check_vocab_matches(vocab, params)
    if not isinstance(prime, str) or not prime:
        raise ValueError(f"prime must be a non-empty str (the text to continue), got {prime!r}")
    ids = vocab.encode(prime)
    h = None
    if len(ids) > 1:        # read the prime; only the final state h_last is used
        h = rnn_core.lm_loss_and_grads(params, ids[:-1], ids[1:])[2]
    drawn = rnn_core.sample(params, int(ids[-1]), length, h0=h, temperature=temperature,
                            seed=seed)
    return prime + vocab.decode(drawn)


def _check_vocab_matches(vocab, params):
    if not isinstance(vocab, Vocabulary):
        raise TypeError(f"vocab must be an rnn_text.Vocabulary (the one the model was trained "
                        f"with), got {type(vocab).__name__}")
    V, O = params["Wxh"].shape[1], params["Why"].shape[0]
    if vocab.size != V or vocab.size != O:
        raise ValueError(f"vocab has {vocab.size} characters but params have vocabulary size "
                         f"V = {V} (Wxh.shape[1]) and output size O = {O}: use the vocabulary "
                         "the model was trained with")


# --------------------------------------------------------------------------------------
# The sampling explorer
# --------------------------------------------------------------------------------------

def wrap(text, width=76):
    """text with every line folded at spaces to at most ``width`` characters, for printing.

    A printed line longer than the output area is folded by the browser, in the middle of a
    word; folding first at spaces keeps words whole. The text's own line breaks stay.
    """
    width = rnn_core._check_size(width, "width")
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    return "\n".join(textwrap.fill(line, width, break_long_words=False) if line else ""
                     for line in text.split("\n"))


_TEMPERATURE_RANGE = (0.05, 3.0)      # the explorer's sliders
_LENGTH_RANGE = (20, 1000)


class SamplingExplorer:
    """A temperature slider, a prime-text box and a "sample again" button over ``generate``.

    params, vocab: the trained model and its Vocabulary. prime: the starting text.
    length: characters to generate. temperature: the starting temperature. seed: the seed of
    the first draw; "sample again" moves on to seed + 1, seed + 2, ... (see the module
    docstring for the attributes the browser tests use).
    """

    title = "Sampling explorer: move the temperature, change the prime, sample again"

    def __init__(self, params, vocab, *, prime="the ", length=300, temperature=0.5, seed=0):
        self.params = rnn_core._check_params(params)
        _check_vocab_matches(vocab, self.params)
        self.vocab = vocab
        if not isinstance(prime, str):
            raise TypeError(f"prime must be a str, got {type(prime).__name__}")
        low, high = _LENGTH_RANGE
        length = rnn_core._check_size(length, "length")
        if not low <= length <= high:
            raise ValueError(f"length must be between {low} and {high} (the slider's range), "
                             f"got {length}")
        temperature = rnn_core._check_number(temperature, "temperature", *_TEMPERATURE_RANGE)
        self.seed = seed
        self.draw = 0
        self.sliders = {
            "temperature": widgets.FloatLogSlider(
                value=temperature, base=10, min=math.log10(_TEMPERATURE_RANGE[0]),
                max=math.log10(_TEMPERATURE_RANGE[1]), step=0.05, description="temperature",
                readout_format=".2f"),
            "length": widgets.IntSlider(value=length, min=_LENGTH_RANGE[0],
                                        max=_LENGTH_RANGE[1], step=20, description="length"),
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

    @property
    def seed(self):
        """The seed of the first draw; draw k uses seed + k (a non-negative int)."""
        return self._seed

    @seed.setter
    def seed(self, value):
        if isinstance(value, bool) or not isinstance(value, Integral) or value < 0:
            raise ValueError(f"seed must be a non-negative int (draw k uses seed + k, so that "
                             f"every draw can be repeated), got {value!r}")
        self._seed = int(value)

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
        data["text/plain"] = note + (f"\n\n{wrap(self.last_text)}" if self.last_text else "")
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
