"""What a check's message must say to name each labelled mistake: one regular expression per
label (case-insensitive), per exercise. A message names the mistake of an attempt when it
matches the attempt's label; it misleads when it names another mistake instead (it matches
another label's expression, or says "Known mistake" without matching its own)."""

import re

_ANY = {
    "in_place": r"changed its input \w+ in place",
    "shallow_copy": r"shallow",
    "global": r"\bglobal|the notebook's (variable|name)",
    "endless_loop": r"did not return within",
    "slow": r"did not return within",
    "system_exit": r"SystemExit|sys\.exit",
    "keyboard_interrupt": r"KeyboardInterrupt",
    "returns_none": r"returned None|\bNoneType\b|is None\b",
    "returns_list": r"\blist\b",
    "returns_tuple": r"\btuple\b",
    "missing_key": r"no key",
}

LABELS = {
    "step_forward": {
        "no_tanh": r"tanh is missing",
        "no_bias": r"bias b_h is missing",
        "bias_after_tanh": r"after the tanh",
        "whh_transposed": r"W_hh\^T h_\{t-1\} instead",
        "no_recurrence": r"W_hh h_\{t-1\} is missing",
        "sigmoid": r"sigmoid|logistic",
        "relu": r"\bReLU\b|max\(0",
        "tanh_twice": r"tanh.{0,40}twice|tanh\(tanh",
        "tanh_misplaced": r"tanh.{0,60}(only to|around|whole sum|all of a_t|the whole a_t)",
        "elementwise": r"elementwise|\* instead of @|matrix product",
        "crash_swapped": r"crashed(.|\n)*at line",
        "transposed_result": r"transposed",
        "summed_over_batch": r"h_t has shape \(H, 1\)|summed over the batch|one column per",
        "first_column_only": r"first (column|sequence)|\bB = 1\b|batch of one",
        "not_implemented": r"NotImplementedError",
    },
    "mse_loss": {
        "seed_dy": r"without the factor 2/n",
        "no_mean_in_dy": r"gradient of the sum of squares",
        "divided_by_O": r"divided by O only",
        "sign": r"\bsign\b",
        "sum_loss": r"loss is the sum of squares",
        "loss_array": r"loss must be one number",
        "rmse": r"square root|RMSE",
        "no_two": r"factor 2 of",
        "integer_division": r"//|integer division",
        "divided_by_B": r"divided by B\b|number of rows|len\(y\)|shape\[0\]",
        "half_mse": r"\bhalf\b|1/2|0\.5 \*",
        "abs_loss": r"absolute",
        "dy_squared": r"dy .{0,40}squared|squares? .{0,20}in dy",
        "swapped_outputs": r"swapped|other order|\(dy, loss\)",
    },
    "step_backward": {
        "no_tanh_prime": r"tanh' factor is missing",
        "tanh_prime_h_prev": r"tanh' is taken at h_\{t-1\}",
        "tanh_twice": r"1 - tanh\(h_t\)\^2",
        "recursion_not_transposed": r"W_hh instead of W_hh\^T",
        "dWhh_h_t": r"dWhh uses h_t",
        "first_column_only": r"only the first sequence|right only when B = 1",
        "batch_mean": r"averaged over the batch",
        "dbh_not_summed": r"dbh has shape \(H, B\)(.|\n)*sum",
        "dbh_no_keepdims": r"dbh has shape \(H,\)",
        "dbh_axis0": r"hidden units|axis ?0|axis=1",
        "dWhh_transposed": r"dWhh .{0,40}transposed|h_\{t-1\} delta_t\^T",
        "dWxh_transposed": r"dWxh has shape \(D, H\)(.|\n)*transposed",
        "recursion_through_dh": r"dL/dh_t instead of delta|instead of delta_t|through dh\b",
        "sigmoid_derivative": r"sigmoid",
        "relu_derivative": r"\bReLU\b",
        "one_minus_h_squared": r"\(1 - h_t\)\^2",
        "sign": r"\bsign\b",
        "crash_dx": r"crashed(.|\n)*at line",
        "wrong_order": r"\border\b",
    },
    "bptt": {
        "seed_bug_1": r"added at every step",
        "seed_bug_3": r"delta_1 h_0\^T",
        "seed_bugs_1_3": r"seed's bug 1(.|\n)*seed's bug 3",
        "no_tanh_prime": r"tanh' factor is missing",
        "tanh_prime_h_prev": r"tanh' is taken at h_\{t-1\}",
        "recursion_not_transposed": r"W_hh instead of W_hh\^T",
        "dh_not_carried": r"not carried back",
        "only_last_step": r"only step T contributes",
        "assigned_not_accumulated": r"assigned \(=\) instead of accumulated",
        "dWhh_h_t": r"dWhh uses h_t",
        "loop_skips_t1": (r"t = 1 is (skipped|left out)|stops before t = 1|skips t = 1"
                          r"|range\(T, 1, -1\)"),
        "recursion_through_dh": r"dL/dh_t instead of delta|instead of delta_t|through dh\b",
        "sign": r"\bsign\b",
        "dWhh_transposed": r"dWhh .{0,40}transposed|h_\{t-1\} delta_t\^T",
        "tanh_twice": r"1 - tanh\(h_t\)\^2",
        "sigmoid_derivative": r"sigmoid",
        "mean_over_time": r"1/T\b|divided by T\b|mean over (time|the steps)",
        "factor_2": r"\b2 (x|×|times)\b|twice the|factor (of )?2\b",
        "dby_flat": r"by has shape \(O,\)",
        "dWhy_transposed": r"Why has shape \(H, O\)(.|\n)*transposed",
        "zeros": r"all zeros",
    },
    "numerical_gradient": {
        "forward_difference": r"forward differences",
        "backward_difference": r"backward differences?|one-sided",
        "no_half": r"instead of 2 eps",
        "not_restored": r"not put back",
        "wrong_restore": r"not put back",
        "eps_ignored": r"eps is ignored|ignores eps|not the eps",
        "flattened_call": r"called f with shape",
        "only_1d": r"several entries|whole row|more than one entry",
        "only_2d": r"several entries|whole row|more than one entry|3-D",
        "all_at_once": r"(every|all) entr(y|ies)( of x)? at once|all at once",
        "double_step": r"2 eps away|by 2 eps|moved by 2",
        "sign": r"\bsign\b|-1 ×|−1|times -1",
        "relative_step": r"relative to x\[i\]|proportional|x\[i\] \* \(1|eps \* x\[i\]",
    },
    "clip_grads": {
        "per_array": r"clipped on its own",
        "by_value": r"np\.clip|every entry is clipped",
        "always": r"even when its norm is below",
        "inverted": r"upside down",
        "sum_of_norms": r"sum of the arrays' norms",
        "no_sqrt": r"square root is missing",
        "comparison_flipped": r"comparison|the wrong way round|flipped",
        "max_for_min": r"max\(1|max instead of min",
        "rms_norm": r"\bmean\b|\bRMS\b",
        "weights_only": r"bias|not every (array|parameter)|only the weights",
        "factor_squared": r"factor is squared|\(max_norm / norm\)\^2",
        "returns_callers_dict": r"same dict|the dict (you were|it was) given|caller's dict",
        "max_of_norms": r"largest (array|norm)|largest of the|\bmax(imum)? of the (arrays|norms)",
        "norm_of_first": r"only one array|a single array|W_hh alone|norm of one array",
        "returns_norm": r"\btuple\b",
    },
    "sgd_step": {
        "plus": r"uphill",
        "no_lr": r"learning rate is not used",
        "swapped": r"swapped|grads - |exchanged",
        "lr_squared": r"squared|learning_rate\^2|eta\^2",
        "weights_only": r"only the weight|biases? .{0,40}too|not every parameter",
        "step_only": r"only the step|the step itself|without params|params is missing",
        "dict_update": r"changed its input params|\.update|in place",
        "divided_by_lr": r"divided by|/ learning_rate",
    },
}

for _table in LABELS.values():
    for _key, _pattern in _ANY.items():
        _table.setdefault(_key, _pattern)


def names(exercise, label, message):
    return re.search(LABELS[exercise][label], message, re.IGNORECASE) is not None


def other_names(exercise, label, message):
    """The other labels of the exercise whose expression the message matches."""
    own = LABELS[exercise][label]
    return [key for key, pattern in LABELS[exercise].items()
            if key != label and pattern != own and re.search(pattern, message, re.IGNORECASE)]
