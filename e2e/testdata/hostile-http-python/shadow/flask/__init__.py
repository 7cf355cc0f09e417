"""The learner's own module, named like Flask: allowed, and only theirs."""
ANSWER = 42
