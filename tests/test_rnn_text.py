"""Tests of rnn_text: text and vocabulary, baselines, the training loop, the sampling explorer.

Everything runs without a kernel; the explorer's widgets work as plain Python objects.
"""

import math

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
