from clamp import clamp


def test_clamp_below():
    for v in (-3, 1):
        assert clamp(v, 2, 10) == 2, "a value below the range becomes its lower bound"
    assert clamp(5, 2, 10) == 5, "a value within the range stays as it is"


def test_clamp_above():
    for v in (11, 42):
        assert clamp(v, 2, 10) == 10, "a value above the range becomes its upper bound"
