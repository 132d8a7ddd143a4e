"""Python functions called from C, with their exceptions carried back to the caller."""


class Trampoline:
    """A C function pointer that calls ``fn`` and turns a raised exception into "stop".

    ctypes cannot let an exception cross the C code that called the
    callback, so the exception is kept, the callback returns ``stop`` (which
    asks the C function to stop) and :meth:`reraise` raises it once the C
    call has returned. Keep the Trampoline referenced during the C call.
    """

    def __init__(self, cfunctype, fn, stop=1):
        self.error = None

        def call(*args):
            if self.error is not None:
                return stop
            try:
                return 1 if fn(*args) else 0
            except BaseException as exc:  # KeyboardInterrupt too: stop training, then re-raise
                self.error = exc
                return stop

        self.pointer = cfunctype(call)

    def reraise(self):
        """Raise the exception the callback raised, if any."""
        if self.error is not None:
            error, self.error = self.error, None
            raise error
