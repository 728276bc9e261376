"""``keras.backend``'s few functions that Keras programs still call."""
from ..config import epsilon, floatx, set_epsilon, set_floatx
from ..utils import clear_session

__all__ = ["clear_session", "epsilon", "floatx", "set_epsilon", "set_floatx"]
