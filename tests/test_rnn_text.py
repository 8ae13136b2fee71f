"""Tests of rnn_text: text and vocabulary, baselines, the training loop, the sampling explorer.

Everything runs without a kernel; the explorer's widgets work as plain Python objects.
"""

import inspect
import math
import re
import warnings

import numpy as np
import pytest

import rnn_core
import rnn_text


@pytest.fixture(scope="module")
def corpus():
    text = rnn_text.course_text(300, seed=0)
    vocab = rnn_text.Vocabulary(text)
    train_ids, val_ids = rnn_text.split_ids(vocab.encode(text), val_fraction=0.2)
    return text, vocab, train_ids, val_ids


@pytest.fixture(scope="module")
def trained(corpus):
    _, vocab, train_ids, val_ids = corpus
    result = rnn_text.train_lm(train_ids, hidden_size=24, seq_length=20, batch_size=4, epochs=2,
                               init_scale=0.1, seed=0, val_ids=val_ids)
    return result, vocab


# --------------------------------------------------------------------------------------
# Text
# --------------------------------------------------------------------------------------

def test_course_text_is_seeded_and_follows_its_grammar():
    text = rnn_text.course_text(200, seed=3)
    assert text == rnn_text.course_text(200, seed=3) != rnn_text.course_text(200, seed=4)
    sentences = [s.strip() for s in text.replace("\n", " ").split(".") if s.strip()]
    assert len(sentences) == 200
    for sentence in sentences:
        assert sentence[0].isupper()
        subject = next(s for s, _ in rnn_text._SUBJECTS if sentence.lower().startswith(s + " "))
        plural = dict(rnn_text._SUBJECTS)[subject]
        verb = sentence[len(subject) + 1:].split()[0]
        assert verb.endswith("s") != plural, sentence           # "reads" / "read"


def test_zen_of_python_is_decoded():
    zen = rnn_text.zen_of_python()
    assert zen.startswith("The Zen of Python, by Tim Peters")
    assert "Beautiful is better than ugly." in zen


def test_vocabulary_round_trip_and_errors(corpus):
    text, vocab, _, _ = corpus
    assert vocab.chars == sorted(set(text)) and vocab.size == len(vocab.chars)
    ids = vocab.encode(text)
    assert ids.dtype.kind == "i" and ids.min() == 0 and ids.max() == vocab.size - 1
    assert vocab.decode(ids) == text
    with pytest.raises(ValueError, match="not in the vocabulary.*'Z'"):
        vocab.encode("Zebra")
    with pytest.raises(TypeError, match="text must be a str"):
        vocab.encode(b"bytes")
    with pytest.raises(ValueError, match="text must be a non-empty str"):
        rnn_text.Vocabulary("")


def test_split_is_contiguous(corpus):
    _, vocab, train_ids, val_ids = corpus
    ids = vocab.encode(corpus[0])
    np.testing.assert_array_equal(np.concatenate([train_ids, val_ids]), ids)
    assert len(val_ids) == round(0.2 * len(ids))
    with pytest.raises(ValueError, match="val_fraction"):
        rnn_text.split_ids(ids, val_fraction=1.0)
    with pytest.raises(ValueError, match="too short"):
        rnn_text.split_ids(ids[:3], val_fraction=0.5)


# --------------------------------------------------------------------------------------
# Baselines
# --------------------------------------------------------------------------------------

def test_unigram_and_bigram_against_counting_by_hand():
    train_ids = np.array([0, 1, 1, 2, 0, 1])
    eval_ids = np.array([1, 0, 2, 2])
    V = 4                                      # id 3 never occurs: smoothing gives it 1/...
    unigram = (np.bincount(train_ids, minlength=V) + 1.0) / (len(train_ids) + V)
    assert rnn_text.unigram_loss(train_ids, eval_ids, V) == pytest.approx(
        -np.mean(np.log(unigram[[0, 2, 2]])), rel=1e-14)
    pairs = np.ones((V, V))
    for a, b in zip(train_ids[:-1], train_ids[1:]):
        pairs[a, b] += 1
    bigram = pairs / pairs.sum(axis=1, keepdims=True)
    expected = -np.mean(np.log([bigram[1, 0], bigram[0, 2], bigram[2, 2]]))
    assert rnn_text.bigram_loss(train_ids, eval_ids, V) == pytest.approx(expected, rel=1e-14)


def test_baselines_are_ordered_on_the_course_text(corpus):
    _, vocab, train_ids, val_ids = corpus
    V = vocab.size
    unigram = rnn_text.unigram_loss(train_ids, val_ids, V)
    bigram = rnn_text.bigram_loss(train_ids, val_ids, V)
    assert bigram < unigram < math.log(V)
    assert rnn_text.perplexity(math.log(V)) == pytest.approx(V)


# --------------------------------------------------------------------------------------
# Training
# --------------------------------------------------------------------------------------

def test_train_lm_learns_and_beats_the_bigram(corpus, trained):
    _, vocab, train_ids, val_ids = corpus
    result, _ = trained
    assert len(result.epoch_ends) == 2 and result.epoch_ends[-1] == len(result.losses)
    assert len(result.val_losses) == 2
    assert result.losses[-1] < 0.5 * result.losses[0]
    assert result.val_losses[-1] < rnn_text.bigram_loss(train_ids, val_ids, vocab.size)
    assert result.params["Wxh"].shape == (24, vocab.size)


def test_train_lm_is_chunked_truncated_bptt_with_carried_state_and_adagrad(corpus):
    """The loop, redone by hand from rnn_core's functions, gives the same parameters."""
    _, _, train_ids, _ = corpus
    ids = train_ids[:203]
    B, T, H = 3, 10, 5
    result = rnn_text.train_lm(ids, hidden_size=H, seq_length=T, batch_size=B, epochs=2,
                               learning_rate=0.05, clip_norm=1.0, init_scale=0.1, seed=7)
    V = int(ids.max()) + 1
    params = rnn_core.init_params(V, H, V, scale=0.1, seed=7)
    streams = ids[:B * (len(ids) // B)].reshape(B, -1)       # 3 streams of 67 characters
    memory, losses = None, []
    for _ in range(2):
        h = None
        for start in range(0, streams.shape[1] - 1, T):
            targets = streams[:, start + 1:start + T + 1]
            inputs = streams[:, start:start + targets.shape[1]]
            loss, grads, h = rnn_core.lm_loss_and_grads(params, inputs, targets, h)
            params, memory = rnn_core.adagrad_step(params, rnn_core.clip_grads(grads, 1.0),
                                                   memory, learning_rate=0.05)
            losses.append(loss)
    assert len(losses) == 2 * 7 and result.losses == pytest.approx(losses, rel=1e-12)
    for name in rnn_core.PARAM_NAMES:
        np.testing.assert_allclose(result.params[name], params[name], rtol=1e-12, atol=1e-15)


def test_train_lm_rejects_bad_arguments(corpus):
    _, _, train_ids, _ = corpus
    with pytest.raises(ValueError, match="batch_size"):
        rnn_text.train_lm(train_ids, hidden_size=4, batch_size=0)
    with pytest.raises(ValueError, match="too short for batch_size"):
        rnn_text.train_lm(train_ids[:5], hidden_size=4, batch_size=4)
    with pytest.raises(ValueError, match="clip_norm"):
        rnn_text.train_lm(train_ids, hidden_size=4, clip_norm=-1.0)


# --------------------------------------------------------------------------------------
# Generating and the explorer
# --------------------------------------------------------------------------------------

def test_generate_continues_the_prime(trained):
    result, vocab = trained
    text = rnn_text.generate(result.params, vocab, "The ", 80, temperature=0.5, seed=1)
    assert text.startswith("The ") and len(text) == 84
    assert text == rnn_text.generate(result.params, vocab, "The ", 80, temperature=0.5, seed=1)
    # The prime sets the state: sampling by hand from the state after "The" gives the same.
    ids = vocab.encode("The ")
    h = rnn_core.lm_loss_and_grads(result.params, ids[:-1], ids[1:])[2]
    drawn = rnn_core.sample(result.params, int(ids[-1]), 80, h0=h, temperature=0.5, seed=1)
    assert text[4:] == vocab.decode(drawn)
    with pytest.raises(ValueError, match="prime must be a non-empty str"):
        rnn_text.generate(result.params, vocab, "", 10)
    with pytest.raises(ValueError, match="not in the vocabulary"):
        rnn_text.generate(result.params, vocab, "The #", 10)


def test_explorer_contract_and_redraws(trained):
    result, vocab = trained
    explorer = rnn_text.SamplingExplorer(result.params, vocab, prime="The ", length=120,
                                         temperature=0.5, seed=0)
    assert "rnn-explorer" in explorer.widget._dom_classes
    assert "rnn-status" in explorer.status._dom_classes
    assert "rnn-text" in explorer.output._dom_classes
    assert "rnn-prime" in explorer.prime._dom_classes
    assert "rnn-sample-again" in explorer.button._dom_classes
    slider = explorer.sliders["temperature"]
    assert type(slider).__name__ == "FloatLogSlider" and not slider.continuous_update
    assert explorer.last_error is None and explorer.last_text.startswith("The ")
    assert len(explorer.last_text) == 124
    assert explorer.last_text == rnn_text.generate(result.params, vocab, "The ", 120,
                                                   temperature=0.5, seed=0)
    first_html = explorer.output.value

    slider.value = 2.0                          # moving the slider redraws at once
    assert explorer.last_text == rnn_text.generate(result.params, vocab, "The ", 120,
                                                   temperature=slider.value, seed=0)
    assert explorer.output.value != first_html and "temperature 2.00" in explorer.status.value

    before = explorer.last_text
    explorer.button.click()                     # "sample again": the next seed
    assert explorer.draw == 1 and explorer.values()["seed"] == 1
    assert explorer.last_text != before

    explorer.prime.value = "A hidden"
    assert explorer.last_text.startswith("A hidden") and explorer.last_error is None

    explorer.prime.value = "#"                  # not in the vocabulary: shown, not raised
    assert isinstance(explorer.last_error, ValueError)
    assert "error" in explorer.status.value and "vocabulary" in explorer.status.value
    explorer.prime.value = "The "
    assert explorer.last_error is None and "error" not in explorer.status.value


# --------------------------------------------------------------------------------------
# The new baselines, the entropy floor, the text's lines, weight_grid, progress, wrap
# --------------------------------------------------------------------------------------

def test_every_line_has_two_to_four_sentences_drawn_once():
    text = rnn_text.course_text(3000, seed=1)
    lines = text.split("\n")[:-1]
    sentences_per_line = [line.count(".") for line in lines]
    assert set(sentences_per_line[:-1]) == {2, 3, 4}            # the last one may be cut
    assert 1 <= sentences_per_line[-1] <= 4 and sum(sentences_per_line) == 3000
    shares = np.bincount(sentences_per_line[:-1], minlength=5)[2:] / (len(lines) - 1)
    assert np.all(np.abs(shares - 1 / 3) < 0.06), shares        # uniform on 2, 3, 4


def line_log_loss(line):
    """-log P(line + newline) under the grammar, from the line's words (not from its code)."""
    endings = [ending for ending in rnn_text._ENDINGS if ending]
    loss = math.log(3)                                           # its number of sentences
    for sentence in line[:-1].split(". "):
        ending = next((e for e in endings if sentence.endswith(e)), "")
        loss += math.log(1000) - math.log(0.1 if ending else 0.3)
    return loss


def test_entropy_rate_is_the_mean_log_loss_of_a_long_text():
    """By the law of large numbers, -log P(text) / len(text) of a long sample (its complete
    lines) tends to the entropy rate; the tolerance is 4 standard errors of that ratio."""
    rate = rnn_text.grammar_entropy_rate()
    lines = rnn_text.course_text(60_000, seed=11).split("\n")[:-2]
    losses = np.array([line_log_loss(line) for line in lines])
    lengths = np.array([len(line) + 1 for line in lines])
    estimate = losses.sum() / lengths.sum()
    standard_error = np.std(losses - rate * lengths) / (lengths.mean() * np.sqrt(len(lines)))
    assert abs(estimate - rate) < 4 * standard_error, (estimate, rate, standard_error)
    assert 4 * standard_error < 3e-3 * rate              # it tells apart 0.3% of the rate


def test_entropy_rate_is_below_the_ngram_estimates_of_a_long_text():
    """n-gram models of rising order, counted on a long sample, approach the floor from above."""
    text = rnn_text.course_text(4000, seed=12)
    vocab = rnn_text.Vocabulary(text)
    train_ids, val_ids = rnn_text.split_ids(vocab.encode(text), val_fraction=0.1)
    losses = [rnn_text.ngram_loss(train_ids, val_ids, vocab.size, order) for order in (2, 4, 8)]
    rate = rnn_text.grammar_entropy_rate()
    assert losses[0] > losses[1] > losses[2] > rate
    assert losses[2] < 1.2 * rate


def ngram_by_hand(train, context, char, vocab_size):
    """p(char | context) by interpolated absolute discounting, written out recursively."""
    def count(gram):
        return sum(train[i:i + len(gram)] == gram for i in range(len(train) - len(gram) + 1))

    def discount(k):
        grams = [train[i:i + k] for i in range(len(train) - k + 1)]
        n_1 = sum(grams.count(g) == 1 for g in set(grams))
        n_2 = sum(grams.count(g) == 2 for g in set(grams))
        return n_1 / (n_1 + 2 * n_2) if n_1 else 0.5

    if context is None:
        return 1.0 / vocab_size
    shorter = ngram_by_hand(train, context[1:] if context else None, char, vocab_size)
    k = len(context) + 1
    followed = [train[i + len(context)] for i in range(len(train) - len(context))
                if train[i:i + len(context)] == context]
    if not followed:
        return shorter
    d = discount(k)
    return (max(count(context + char) - d, 0.0) + d * len(set(followed)) * shorter) / len(followed)


def test_ngram_loss_against_the_formula_by_hand():
    train = "abracadabra cab bar"
    vocab = rnn_text.Vocabulary(train + "dz")                 # z never occurs
    train_ids = vocab.encode(train)
    V = vocab.size
    for order in (1, 2, 3):
        for evaluated in ("abra", "cabz", "zab", "rac"):
            expected = -np.mean([math.log(ngram_by_hand(
                train, evaluated[max(0, j - order + 1):j] if order > 1 else "",
                evaluated[j], V)) for j in range(1, len(evaluated))])
            got = rnn_text.ngram_loss(train_ids, vocab.encode(evaluated), V, order)
            assert got == pytest.approx(expected, rel=1e-12), (order, evaluated)


def test_ngram_probabilities_sum_to_one_in_every_context():
    """p(c | context) over every character c sums to 1, for seen and unseen contexts.

    ngram_loss of the text context + c is the mean of -log p over its positions, so
    p(c | context) = exp(-(len - 1) * loss(context + c) + (len - 2) * loss(context))."""
    train = "abracadabra cab bar"
    vocab = rnn_text.Vocabulary(train + "z")
    train_ids, V = vocab.encode(train), vocab.size

    def total_loss(text, order):
        return (len(text) - 1) * rnn_text.ngram_loss(train_ids, vocab.encode(text), V, order)

    for order in (2, 3):
        for context in ("a", "r", "z", "ab", "ca", "zz", "r "):
            before = total_loss(context, order) if len(context) > 1 else 0.0
            total = sum(math.exp(before - total_loss(context + c, order)) for c in vocab.chars)
            assert total == pytest.approx(1.0, rel=1e-12), (order, context)


def test_train_lm_weight_grid_rounds_every_update_exactly(corpus):
    _, _, train_ids, _ = corpus
    ids, grid = train_ids[:203], 2.0 ** -20
    result = rnn_text.train_lm(ids, hidden_size=5, seq_length=10, batch_size=3, epochs=2,
                               learning_rate=0.05, clip_norm=1.0, init_scale=0.1, seed=7,
                               weight_grid=grid)
    V = int(ids.max()) + 1
    params = rnn_core.init_params(V, 5, V, scale=0.1, seed=7)
    streams = ids[:3 * (len(ids) // 3)].reshape(3, -1)
    memory, norms = None, []
    for _ in range(2):
        h = None
        for start in range(0, streams.shape[1] - 1, 10):
            targets = streams[:, start + 1:start + 11]
            inputs = streams[:, start:start + targets.shape[1]]
            _, grads, h = rnn_core.lm_loss_and_grads(params, inputs, targets, h)
            norms.append(rnn_core.global_norm(grads))
            params, memory = rnn_core.adagrad_step(params, rnn_core.clip_grads(grads, 1.0),
                                                   memory, learning_rate=0.05)
            params = {k: np.round(v / grid) * grid for k, v in params.items()}
    assert result.grad_norms == pytest.approx(norms, rel=1e-12)
    for name in rnn_core.PARAM_NAMES:
        np.testing.assert_array_equal(result.params[name], params[name])     # bit for bit
        assert np.all(result.params[name] / grid == np.round(result.params[name] / grid))


def test_train_lm_with_progress_outside_a_notebook_returns_its_result(corpus, capsys):
    _, _, train_ids, val_ids = corpus
    result = rnn_text.train_lm(train_ids[:400], hidden_size=4, batch_size=2, epochs=1,
                               val_ids=val_ids, progress=True)
    assert len(result.losses) > 0 and len(result.val_losses) == 1
    assert capsys.readouterr().out == ""                 # no widget repr printed either


def test_train_lm_checks_every_argument_before_the_first_update(corpus, monkeypatch):
    """A bad val_ids (or any other argument) is reported before any training is done."""
    _, _, train_ids, val_ids = corpus

    def no_training(*args, **kwargs):
        raise AssertionError("train_lm started training before checking its arguments")

    monkeypatch.setattr(rnn_core, "lm_loss_and_grads", no_training)
    for bad in (dict(val_ids=val_ids[:1]), dict(val_ids=val_ids * 1.0),
                dict(val_ids=val_ids - 1), dict(learning_rate=-1.0), dict(clip_norm=0.0),
                dict(init_scale=0.0), dict(weight_grid=math.nan), dict(progress=1)):
        with pytest.raises((ValueError, TypeError)):
            rnn_text.train_lm(train_ids, hidden_size=8, epochs=10**6, **bad)


def test_wrap_folds_at_spaces_and_keeps_line_breaks():
    text = "word " * 40 + "\n\nshort\n" + "a" * 100
    wrapped = rnn_text.wrap(text, 30)
    assert wrapped.replace("\n", " ").split() == text.split()
    lines = wrapped.split("\n")
    assert all(len(line) <= 30 for line in lines if " " in line) and "" in lines
    assert "a" * 100 in lines                            # a longer word is never cut


def test_explorer_static_text_is_wrapped(trained):
    result, vocab = trained
    explorer = rnn_text.SamplingExplorer(result.params, vocab, prime="The ", length=500)
    plain = explorer._repr_mimebundle_()["text/plain"]
    sample_lines = plain.split("\n\n", 1)[1].split("\n")
    assert max(len(line) for line in sample_lines) <= 76
    assert " ".join(sample_lines).split() == explorer.last_text.split()


def test_explorer_seed_none_is_refused_and_the_explorer_still_works(trained):
    result, vocab = trained
    explorer = rnn_text.SamplingExplorer(result.params, vocab, prime="The ", length=40)
    with pytest.raises(ValueError, match="seed must be a non-negative int"):
        explorer.seed = None
    explorer.button.click()                             # "sample again" still draws
    assert explorer.last_error is None and explorer.values()["seed"] == 1


# --------------------------------------------------------------------------------------
# Bad input: one row per case, for every public function and class of rnn_text
# --------------------------------------------------------------------------------------

_TEXT = rnn_text.course_text(40, seed=0)
_VOCAB = rnn_text.Vocabulary(_TEXT)                       # V = 30 for this text
_IDS = _VOCAB.encode(_TEXT)
_TRAIN, _VAL = _IDS[:-300], _IDS[-300:]
_V = _VOCAB.size
_PARAMS = rnn_core.init_params(_V, 6, _V, scale=0.3, seed=0)
_OTHER_VOCAB = rnn_text.Vocabulary(_TEXT + "#")            # one character more
_SHARED = [_IDS, _TRAIN, _VAL, _PARAMS]

TEXT_CASES = [
    ("course_text n_sentences 0", lambda: rnn_text.course_text(0), ValueError, "n_sentences"),
    ("course_text n_sentences float", lambda: rnn_text.course_text(2.5), ValueError,
     "n_sentences"),
    ("course_text seed string", lambda: rnn_text.course_text(5, seed="a"), TypeError, "seed"),
    ("course_text seed negative", lambda: rnn_text.course_text(5, seed=-1), ValueError, "seed"),
    ("grammar_entropy_rate argument", lambda: rnn_text.grammar_entropy_rate(1), TypeError,
     "positional"),
    ("zen_of_python argument", lambda: rnn_text.zen_of_python(1), TypeError, "positional"),
    ("Vocabulary empty", lambda: rnn_text.Vocabulary(""), ValueError, "text"),
    ("Vocabulary not a str", lambda: rnn_text.Vocabulary(["a"]), ValueError, "text"),
    ("Vocabulary.encode bytes", lambda: _VOCAB.encode(b"ab"), TypeError, "text"),
    ("Vocabulary.encode unknown", lambda: _VOCAB.encode("Zq#"), ValueError, "vocabulary"),
    ("Vocabulary.decode too large", lambda: _VOCAB.decode([0, _V]), ValueError, "ids"),
    ("Vocabulary.decode negative", lambda: _VOCAB.decode([0, -1]), ValueError, "ids"),
    ("Vocabulary.decode float", lambda: _VOCAB.decode([1.0, 2.0]), TypeError, "ids"),
    ("Vocabulary.decode 2-D", lambda: _VOCAB.decode([[1, 2]]), ValueError, "ids"),
    ("Vocabulary.decode scalar", lambda: _VOCAB.decode(3), ValueError, "ids"),
    ("split_ids too short", lambda: rnn_text.split_ids(_IDS[:3], 0.5), ValueError, "too short"),
    ("split_ids val_fraction 1", lambda: rnn_text.split_ids(_IDS, 1.0), ValueError,
     "val_fraction must"),
    ("split_ids val_fraction nan", lambda: rnn_text.split_ids(_IDS, math.nan), ValueError,
     "val_fraction"),
    ("split_ids val_fraction str", lambda: rnn_text.split_ids(_IDS, "0.1"), TypeError,
     "val_fraction"),
    ("split_ids 2-D", lambda: rnn_text.split_ids(_IDS[:1000].reshape(2, -1)), ValueError,
     "ids has shape"),
    ("split_ids ragged", lambda: rnn_text.split_ids([[1, 2], [3]]), TypeError,
     "ids must be a 1-D array"),
    ("split_ids negative", lambda: rnn_text.split_ids(_IDS - 1), ValueError, "ids"),
    ("perplexity nan", lambda: rnn_text.perplexity(math.nan), ValueError, "loss"),
    ("perplexity negative", lambda: rnn_text.perplexity(-0.5), ValueError, "loss"),
    ("perplexity string", lambda: rnn_text.perplexity("1"), TypeError, "loss"),
    ("unigram_loss one eval id", lambda: rnn_text.unigram_loss(_TRAIN, _VAL[:1], _V),
     ValueError, "eval_ids"),
    ("unigram_loss id too large", lambda: rnn_text.unigram_loss(_TRAIN, np.append(_VAL, _V), _V),
     ValueError, "eval_ids"),
    ("unigram_loss negative train id",
     lambda: rnn_text.unigram_loss(np.append(_TRAIN, -1), _VAL, _V), ValueError, "train_ids"),
    ("unigram_loss empty train", lambda: rnn_text.unigram_loss(_TRAIN[:0], _VAL, _V),
     ValueError, "train_ids"),
    ("unigram_loss smoothing 0", lambda: rnn_text.unigram_loss(_TRAIN, _VAL, _V, smoothing=0.0),
     ValueError, "smoothing"),
    ("unigram_loss vocab_size 0", lambda: rnn_text.unigram_loss(_TRAIN, _VAL, 0), ValueError,
     "vocab_size"),
    ("bigram_loss id too large", lambda: rnn_text.bigram_loss(_TRAIN, np.append(_VAL, _V), _V),
     ValueError, "eval_ids"),
    ("bigram_loss negative id", lambda: rnn_text.bigram_loss(np.append(_TRAIN, -1), _VAL, _V),
     ValueError, "train_ids"),
    ("bigram_loss smoothing -1", lambda: rnn_text.bigram_loss(_TRAIN, _VAL, _V, smoothing=-1.0),
     ValueError, "smoothing"),
    ("bigram_loss smoothing nan",
     lambda: rnn_text.bigram_loss(_TRAIN, _VAL, _V, smoothing=math.nan), ValueError, "smoothing"),
    ("bigram_loss one train id", lambda: rnn_text.bigram_loss(_TRAIN[:1], _VAL, _V), ValueError,
     "train_ids"),
    ("bigram_loss float ids", lambda: rnn_text.bigram_loss(_TRAIN * 1.0, _VAL, _V), TypeError,
     "train_ids"),
    ("ngram_loss order 0", lambda: rnn_text.ngram_loss(_TRAIN, _VAL, _V, 0), ValueError, "order"),
    ("ngram_loss id too large", lambda: rnn_text.ngram_loss(_TRAIN, np.append(_VAL, _V), _V, 3),
     ValueError, "eval_ids"),
    ("ngram_loss one eval id", lambda: rnn_text.ngram_loss(_TRAIN, _VAL[:1], _V, 3), ValueError,
     "eval_ids"),
    ("ngram_loss 2-D", lambda: rnn_text.ngram_loss(_TRAIN[:1000].reshape(2, -1), _VAL, _V, 3),
     ValueError, "train_ids"),
    ("rnn_loss 2-D ids", lambda: rnn_text.rnn_loss(_PARAMS, _VAL[:80].reshape(4, 20)),
     ValueError, "eval_ids"),
    ("rnn_loss one id", lambda: rnn_text.rnn_loss(_PARAMS, _VAL[:1]), ValueError, "eval_ids"),
    ("rnn_loss id too large", lambda: rnn_text.rnn_loss(_PARAMS, np.append(_VAL, _V)),
     ValueError, "eval_ids"),
    ("rnn_loss params", lambda: rnn_text.rnn_loss({"Wxh": 1}, _VAL), ValueError, "params"),
    ("train_lm empty", lambda: rnn_text.train_lm([], hidden_size=4), ValueError, "train_ids"),
    ("train_lm 2-D", lambda: rnn_text.train_lm(_TRAIN[:1000].reshape(2, -1), hidden_size=4),
     ValueError, "train_ids has shape"),
    ("train_lm negative id", lambda: rnn_text.train_lm(_TRAIN - 1, hidden_size=4), ValueError,
     "train_ids"),
    ("train_lm too short", lambda: rnn_text.train_lm(_TRAIN[:5], hidden_size=4, batch_size=4),
     ValueError, "batch_size"),
    ("train_lm val_ids one id", lambda: rnn_text.train_lm(_TRAIN, hidden_size=4,
                                                          val_ids=_VAL[:1]), ValueError, "val_ids"),
    ("train_lm val_ids float", lambda: rnn_text.train_lm(_TRAIN, hidden_size=4,
                                                         val_ids=_VAL * 1.0), TypeError, "val_ids"),
    ("train_lm hidden_size 0", lambda: rnn_text.train_lm(_TRAIN, hidden_size=0), ValueError,
     "hidden_size"),
    ("train_lm batch_size 0", lambda: rnn_text.train_lm(_TRAIN, hidden_size=4, batch_size=0),
     ValueError, "batch_size"),
    ("train_lm seq_length 0", lambda: rnn_text.train_lm(_TRAIN, hidden_size=4, seq_length=0),
     ValueError, "seq_length"),
    ("train_lm epochs 0", lambda: rnn_text.train_lm(_TRAIN, hidden_size=4, epochs=0),
     ValueError, "epochs"),
    ("train_lm learning_rate nan",
     lambda: rnn_text.train_lm(_TRAIN, hidden_size=4, learning_rate=math.nan), ValueError,
     "learning_rate"),
    ("train_lm clip_norm", lambda: rnn_text.train_lm(_TRAIN, hidden_size=4, clip_norm=-1.0),
     ValueError, "clip_norm"),
    ("train_lm init_scale", lambda: rnn_text.train_lm(_TRAIN, hidden_size=4, init_scale=0.0),
     ValueError, "init_scale"),
    ("train_lm weight_grid", lambda: rnn_text.train_lm(_TRAIN, hidden_size=4, weight_grid=0.0),
     ValueError, "weight_grid"),
    ("train_lm seed", lambda: rnn_text.train_lm(_TRAIN, hidden_size=4, seed="a"), TypeError,
     "seed"),
    ("train_lm progress", lambda: rnn_text.train_lm(_TRAIN, hidden_size=4, progress="yes"),
     TypeError, "progress"),
    ("generate vocab size", lambda: rnn_text.generate(_PARAMS, _OTHER_VOCAB, "The", 5),
     ValueError, "vocab"),
    ("generate vocab None", lambda: rnn_text.generate(_PARAMS, None, "The", 5), TypeError,
     "vocab"),
    ("generate prime empty", lambda: rnn_text.generate(_PARAMS, _VOCAB, "", 5), ValueError,
     "prime"),
    ("generate prime unknown", lambda: rnn_text.generate(_PARAMS, _VOCAB, "#", 5), ValueError,
     "vocabulary"),
    ("generate length 0", lambda: rnn_text.generate(_PARAMS, _VOCAB, "The", 0), ValueError,
     "length"),
    ("generate length 10**12", lambda: rnn_text.generate(_PARAMS, _VOCAB, "The", 10**12),
     ValueError, "length"),
    ("generate temperature", lambda: rnn_text.generate(_PARAMS, _VOCAB, "The", 5,
                                                       temperature=0.0), ValueError, "temperature"),
    ("generate seed", lambda: rnn_text.generate(_PARAMS, _VOCAB, "The", 5, seed=1.5), TypeError,
     "seed"),
    ("generate params", lambda: rnn_text.generate([], _VOCAB, "The", 5), TypeError, "params"),
    ("wrap width 0", lambda: rnn_text.wrap("a b", 0), ValueError, "width must"),
    ("wrap bytes", lambda: rnn_text.wrap(b"a b"), TypeError, "text"),
    ("SamplingExplorer vocab None", lambda: rnn_text.SamplingExplorer(_PARAMS, None), TypeError,
     "vocab"),
    ("SamplingExplorer vocab size", lambda: rnn_text.SamplingExplorer(_PARAMS, _OTHER_VOCAB),
     ValueError, "vocab"),
    ("SamplingExplorer seed None", lambda: rnn_text.SamplingExplorer(_PARAMS, _VOCAB, seed=None),
     ValueError, "seed"),
    ("SamplingExplorer seed negative",
     lambda: rnn_text.SamplingExplorer(_PARAMS, _VOCAB, seed=-2), ValueError, "seed"),
    ("SamplingExplorer length 5", lambda: rnn_text.SamplingExplorer(_PARAMS, _VOCAB, length=5),
     ValueError, "length"),
    ("SamplingExplorer temperature 10",
     lambda: rnn_text.SamplingExplorer(_PARAMS, _VOCAB, temperature=10.0), ValueError,
     "temperature"),
    ("SamplingExplorer prime not a str",
     lambda: rnn_text.SamplingExplorer(_PARAMS, _VOCAB, prime=3), TypeError, "prime"),
    ("SamplingExplorer params", lambda: rnn_text.SamplingExplorer({}, _VOCAB), ValueError,
     "params"),
]


@pytest.mark.parametrize("call, error, word", [case[1:] for case in TEXT_CASES],
                         ids=[case[0] for case in TEXT_CASES])
def test_bad_input_to_rnn_text(call, error, word):
    before = [{k: v.copy() for k, v in item.items()} if isinstance(item, dict) else item.copy()
              for item in _SHARED]
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # no RuntimeWarning before the error either
        with pytest.raises(error) as raised:
            call()
    # The word must start a word of the message: "val_ids" is not found in "eval_ids".
    assert re.search(r"(?<![\w.])" + re.escape(word), str(raised.value)), \
        f"{word!r} not in: {raised.value}"
    for old, new in zip(before, _SHARED):
        if isinstance(old, dict):
            for key in old:
                np.testing.assert_array_equal(new[key], old[key])
        else:
            np.testing.assert_array_equal(new, old)


def test_every_public_name_of_rnn_text_has_a_row():
    """A public function, class or method added later must get its rows in the table above."""
    public = {name for name, value in vars(rnn_text).items()
              if not name.startswith("_") and (inspect.isfunction(value) or inspect.isclass(value))
              and value.__module__ == "rnn_text"}
    public |= {f"Vocabulary.{name}" for name, value in vars(rnn_text.Vocabulary).items()
               if not name.startswith("_") and inspect.isfunction(value)}
    covered = {name for name in public if any(case[0].startswith(name + " ")
                                              for case in TEXT_CASES)}
    # LMTrainResult only holds what train_lm returns; it checks nothing and is never given
    # arguments by a caller.
    assert public - covered == {"LMTrainResult"}, public - covered
