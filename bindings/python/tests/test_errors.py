"""Status codes become exceptions carrying the status, its name and nnl_last_error()'s message."""

import threading
import unittest

import nnlite


class ErrorTest(unittest.TestCase):
    def test_invalid_argument(self):
        with self.assertRaises(nnlite.InvalidArgumentError) as ctx:
            nnlite.Tensor((2, 0))
        error = ctx.exception
        self.assertIsInstance(error, nnlite.Error)
        self.assertIsInstance(error, ValueError)
        self.assertEqual(error.status, nnlite.Status.INVALID_ARG)
        self.assertEqual(error.status, -1)
        self.assertEqual(error.status_name, "invalid argument")
        self.assertIn("dims[1]=0", error.message)
        self.assertEqual(str(error), error.message + " (invalid argument)")

    def test_file_error_is_an_os_error(self):
        with self.assertRaises(OSError) as ctx:
            nnlite.Dataset.load_idx("/nonexistent/images", "/nonexistent/labels")
        self.assertIsInstance(ctx.exception, nnlite.FileError)
        self.assertEqual(ctx.exception.status, nnlite.Status.IO)
        self.assertIn("/nonexistent/images", ctx.exception.message)

    def test_format_error(self):
        import tempfile
        with tempfile.NamedTemporaryFile(suffix=".safetensors") as f:
            f.write(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json at all}")
            f.flush()
            with self.assertRaises(nnlite.FormatError) as ctx:
                nnlite.Model.load(f.name)
        self.assertEqual(ctx.exception.status, nnlite.Status.FORMAT)
        self.assertTrue(ctx.exception.message)

    def test_shape_error(self):
        model = nnlite.Model((4,), [nnlite.Dense(3)])
        with self.assertRaises(nnlite.ShapeError) as ctx:
            model.predict([[1.0, 2.0, 3.0]])
        self.assertIn("nnl_model_predict", ctx.exception.message)

    def test_state_error(self):
        with self.assertRaises(nnlite.StateError) as ctx:
            nnlite.Model((4,)).compile("adam")
        self.assertIn("no layers", ctx.exception.message)

    def test_message_is_read_on_the_failing_thread(self):
        errors = {}

        def fail(name, call):
            try:
                call()
            except nnlite.Error as exc:
                errors[name] = exc.message

        for _ in range(20):
            threads = [threading.Thread(target=fail, args=("tensor", lambda: nnlite.Tensor((0,)))),
                       threading.Thread(target=fail, args=("dense", lambda: nnlite.Dense(-5)))]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            self.assertIn("dims[0]=0", errors["tensor"])
            self.assertIn("-5", errors["dense"])

    def test_status_enum_values_are_the_abi(self):
        self.assertEqual([s.value for s in nnlite.Status], list(range(0, -11, -1)))


if __name__ == "__main__":
    unittest.main()
