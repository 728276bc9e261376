"""``tf.errors``: TensorFlow's error classes, for programs that catch them
(``except tf.errors.InvalidArgumentError``). Each is an :class:`OpError` with TensorFlow's
constructor ``(node_def, op, message)`` and ``.message``/``.error_code``; each also derives
from the Python error a glassnet user would expect (``InvalidArgumentError`` is a
``ValueError``, ``OutOfRangeError`` an ``IndexError``...), so ``except ValueError`` works too.

>>> import glassnet as tf
>>> try:
...     tf.debugging.assert_equal(tf.constant(1), tf.constant(2))
... except tf.errors.InvalidArgumentError as e:
...     print(type(e).__name__, e.error_code)
InvalidArgumentError 3
"""
from __future__ import annotations

__all__ = ["OpError", "CancelledError", "UnknownError", "InvalidArgumentError", "DeadlineExceededError",
           "NotFoundError", "AlreadyExistsError", "PermissionDeniedError", "ResourceExhaustedError",
           "FailedPreconditionError", "AbortedError", "OutOfRangeError", "UnimplementedError", "InternalError",
           "UnavailableError", "DataLossError", "UnauthenticatedError", "OperatorNotAllowedInGraphError",
           "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
           "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
           "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"]

# TensorFlow's error codes (the canonical gRPC ones)
OK, CANCELLED, UNKNOWN, INVALID_ARGUMENT, DEADLINE_EXCEEDED, NOT_FOUND, ALREADY_EXISTS = 0, 1, 2, 3, 4, 5, 6
PERMISSION_DENIED, RESOURCE_EXHAUSTED, FAILED_PRECONDITION, ABORTED, OUT_OF_RANGE = 7, 8, 9, 10, 11
UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS, UNAUTHENTICATED = 12, 13, 14, 15, 16


class OpError(Exception):
    """An operation failed: ``message`` says why, ``error_code`` is TensorFlow's code."""

    def __init__(self, node_def, op, message, error_code=UNKNOWN, *args):
        super().__init__(message, *args)
        self.node_def, self.op, self.message, self.error_code = node_def, op, message, error_code

    def __str__(self):
        return str(self.message)

    def __reduce__(self):
        return type(self)._rebuild, (self.node_def, self.op, self.message, self.error_code)

    @classmethod
    def _rebuild(cls, node_def, op, message, error_code):
        error = cls.__new__(cls)
        OpError.__init__(error, node_def, op, message, error_code)
        return error


def _kind(name, code, *bases, doc):
    def __init__(self, node_def=None, op=None, message="", *args):
        OpError.__init__(self, node_def, op, message, code, *args)
    return type(name, (OpError,) + bases, {"__init__": __init__, "__doc__": doc, "__module__": __name__})


CancelledError = _kind("CancelledError", CANCELLED, doc="An operation was cancelled.")
UnknownError = _kind("UnknownError", UNKNOWN, doc="An error of no other kind.")
InvalidArgumentError = _kind("InvalidArgumentError", INVALID_ARGUMENT, ValueError,
                             doc="An operation got an argument it cannot use (a failed tf.debugging assert).")
DeadlineExceededError = _kind("DeadlineExceededError", DEADLINE_EXCEEDED, TimeoutError, doc="A deadline passed.")
NotFoundError = _kind("NotFoundError", NOT_FOUND, FileNotFoundError, doc="A file or entity was not found.")
AlreadyExistsError = _kind("AlreadyExistsError", ALREADY_EXISTS, FileExistsError, doc="It exists already.")
PermissionDeniedError = _kind("PermissionDeniedError", PERMISSION_DENIED, PermissionError, doc="Not allowed.")
ResourceExhaustedError = _kind("ResourceExhaustedError", RESOURCE_EXHAUSTED, MemoryError,
                               doc="Memory or another resource ran out.")
FailedPreconditionError = _kind("FailedPreconditionError", FAILED_PRECONDITION, RuntimeError,
                                doc="The system is not in the state the operation needs (a Variable not set).")
AbortedError = _kind("AbortedError", ABORTED, RuntimeError, doc="An operation was aborted.")
OutOfRangeError = _kind("OutOfRangeError", OUT_OF_RANGE, IndexError,
                        doc="Past the end (an iterator, a TensorArray that cannot grow).")
UnimplementedError = _kind("UnimplementedError", UNIMPLEMENTED, NotImplementedError, doc="Not implemented.")
InternalError = _kind("InternalError", INTERNAL, RuntimeError, doc="An invariant broke inside.")
UnavailableError = _kind("UnavailableError", UNAVAILABLE, RuntimeError, doc="A service is unavailable.")
DataLossError = _kind("DataLossError", DATA_LOSS, OSError, doc="Data were lost or corrupted.")
UnauthenticatedError = _kind("UnauthenticatedError", UNAUTHENTICATED, PermissionError, doc="No valid credentials.")


def eager_op_error(kind, op: str, message: str, name_suffix: bool = False) -> OpError:
    """An error as TensorFlow's eager kernels word it: ``{{function_node __wrapped__Reshape_device_
    /job:localhost/replica:0/task:0/device:CPU:0}} <message> [Op:Reshape]`` (`` name: `` after it for
    the ops whose Python wrapper adds one)."""
    text = (f"{{{{function_node __wrapped__{op}_device_/job:localhost/replica:0/task:0/device:CPU:0}}}} "
            f"{message} [Op:{op}]" + (" name: " if name_suffix else ""))
    return kind(None, op, text)


class OperatorNotAllowedInGraphError(TypeError):
    """An operator graph mode cannot run (TensorFlow's; glassnet is always eager)."""
