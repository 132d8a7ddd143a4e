"""Tensors: creation, data in and out with and without numpy, shapes, fills and seeded initialisers."""

import array
import unittest

import nnlite
from support import needs_numpy, without_numpy


class TensorTest(unittest.TestCase):
    def test_create_is_zero_filled(self):
        t = nnlite.Tensor((2, 3))
        self.assertEqual(t.shape, (2, 3))
        self.assertEqual((t.ndim, t.size, t.nbytes, len(t)), (2, 6, 24, 2))
        self.assertEqual(t.tolist(), [[0.0] * 3] * 2)
        self.assertEqual(nnlite.Tensor(5).shape, (5,))

    def test_scalar(self):
        t = nnlite.Tensor(())
        self.assertEqual((t.shape, t.size), ((), 1))
        t.fill(3.0)
        self.assertEqual(t.tolist(), 3.0)
        with self.assertRaises(TypeError):
            len(t)

    def test_from_nested_lists_copies(self):
        data = [[1, 2, 3], [4, 5, 6]]
        t = nnlite.Tensor.from_data(data)
        data[0][0] = 100
        self.assertEqual(t.tolist(), [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
        self.assertEqual(nnlite.Tensor.from_data(list(range(6)), shape=(3, 2)).shape, (3, 2))

    def test_from_data_checks_the_count(self):
        with self.assertRaises(ValueError):
            nnlite.Tensor.from_data([1, 2, 3], shape=(2, 2))
        with self.assertRaises(ValueError):
            nnlite.Tensor.from_data([[1, 2], [3]])

    def test_from_array_and_buffer(self):
        self.assertEqual(nnlite.Tensor.from_data(array.array("f", [1, 2])).tolist(), [1.0, 2.0])
        self.assertEqual(nnlite.Tensor.from_data(array.array("d", [1.5, 2.5])).tolist(), [1.5, 2.5])
        readonly = memoryview(array.array("f", [7, 8]).tobytes()).cast("f")
        self.assertEqual(nnlite.Tensor.from_data(readonly).tolist(), [7.0, 8.0])

    def test_wrap_shares_memory(self):
        buf = array.array("f", [0] * 6)
        t = nnlite.Tensor.wrap(buf, shape=(2, 3))
        t.fill(2.5)
        self.assertEqual(list(buf), [2.5] * 6)
        buf[4] = -1
        self.assertEqual(t.tolist()[1][1], -1.0)

    def test_wrap_refuses_what_it_would_have_to_copy(self):
        with self.assertRaises(TypeError):
            nnlite.Tensor.wrap([1.0, 2.0])
        with self.assertRaises(TypeError):
            nnlite.Tensor.wrap(array.array("d", [1.0]))
        with self.assertRaises(TypeError):
            nnlite.Tensor.wrap(memoryview(b"\0\0\0\0").cast("f"))

    def test_wrap_keeps_the_buffer_alive(self):
        t = nnlite.Tensor.wrap(array.array("f", [1, 2, 3]))
        import gc
        gc.collect()
        self.assertEqual(t.tolist(), [1.0, 2.0, 3.0])

    def test_memoryview_is_a_view(self):
        t = nnlite.Tensor((2, 2))
        view = t.memoryview()
        self.assertEqual((view.format, view.shape), ("f", (2, 2)))
        view[1, 0] = 4.0
        self.assertEqual(t.tolist(), [[0.0, 0.0], [4.0, 0.0]])

    def test_copy_to(self):
        t = nnlite.Tensor.from_data([1, 2, 3])
        out = array.array("f", [0, 0, 0])
        t.copy_to(out)
        self.assertEqual(list(out), [1.0, 2.0, 3.0])
        with self.assertRaises(nnlite.ShapeError):
            t.copy_to(array.array("f", [0, 0]))

    def test_reshape(self):
        t = nnlite.Tensor.from_data(list(range(6)))
        self.assertIs(t.reshape((2, 3)), t)
        self.assertEqual(t.tolist(), [[0, 1, 2], [3, 4, 5]])
        with self.assertRaises(nnlite.ShapeError):
            t.reshape((4, 2))
        self.assertEqual(t.shape, (2, 3))

    def test_initialisers_are_seeded(self):
        def values(init):
            return init(nnlite.Tensor((50,))).tolist()

        for init in (lambda t: t.init_uniform(-1, 1, seed=3), lambda t: t.init_normal(0, 1, seed=3),
                     lambda t: t.init_glorot(10, 20, seed=3), lambda t: t.init_he(10, seed=3)):
            self.assertEqual(values(init), values(init))
        uniform = values(lambda t: t.init_uniform(2, 3, seed=1))
        self.assertTrue(all(2 <= v < 3 for v in uniform))
        self.assertNotEqual(uniform, values(lambda t: t.init_uniform(2, 3, seed=2)))
        with self.assertRaises(nnlite.InvalidArgumentError):
            nnlite.Tensor((2,)).init_uniform(1, 0)

    def test_repr(self):
        t = nnlite.Tensor((1, 2))
        self.assertEqual(repr(t), "<nnlite.Tensor shape=(1, 2)>")
        t.close()
        self.assertEqual(repr(t), "<nnlite.Tensor (closed)>")

    @without_numpy
    def test_numpy_method_needs_numpy(self):
        with self.assertRaises(ImportError):
            nnlite.Tensor((1,)).numpy()


@needs_numpy
class TensorNumpyTest(unittest.TestCase):
    def setUp(self):
        import numpy
        self.np = numpy

    def test_numpy_is_zero_copy(self):
        t = nnlite.Tensor((2, 3))
        a = t.numpy()
        self.assertEqual((a.dtype, a.shape), (self.np.float32, (2, 3)))
        a[1, 2] = 5
        self.assertEqual(t.tolist()[1][2], 5.0)
        t.fill(1)
        self.assertEqual(float(a.sum()), 6.0)
        self.assertTrue(self.np.shares_memory(a, self.np.asarray(t)))

    def test_numpy_view_outlives_the_tensor(self):
        t = nnlite.Tensor((1000,)).init_normal(seed=5)
        a = t.numpy()[10:20]
        expected = a.copy()
        t.close()
        del t
        import gc
        gc.collect()
        self.assertTrue(self.np.array_equal(a, expected))

    def test_wrap_numpy_in_place(self):
        x = self.np.zeros((3, 4), dtype=self.np.float32)
        t = nnlite.Tensor.wrap(x)
        t.fill(2)
        self.assertTrue((x == 2).all())
        with self.assertRaises(TypeError):
            nnlite.Tensor.wrap(self.np.zeros(3))  # float64 would need a copy
        with self.assertRaises(TypeError):
            nnlite.Tensor.wrap(self.np.zeros((4, 4), dtype=self.np.float32)[:, 1])  # not contiguous
        readonly = self.np.zeros(3, dtype=self.np.float32)
        readonly.flags.writeable = False
        with self.assertRaises(TypeError):
            nnlite.Tensor.wrap(readonly)

    def test_from_data_converts(self):
        x = self.np.arange(6, dtype=self.np.float64).reshape(2, 3)
        t = nnlite.Tensor.from_data(x)
        self.assertTrue(self.np.array_equal(t.numpy(), x))
        t2 = nnlite.Tensor.from_data(self.np.arange(12, dtype=self.np.float32).reshape(3, 4)[:, ::2])
        self.assertEqual(t2.tolist(), [[0, 2], [4, 6], [8, 10]])

    def test_array_protocol(self):
        t = nnlite.Tensor.from_data([[1, 2], [3, 4]])
        self.assertEqual(self.np.asarray(t).tolist(), [[1, 2], [3, 4]])
        self.assertEqual(self.np.asarray(t, dtype=self.np.float64).dtype, self.np.float64)


if __name__ == "__main__":
    unittest.main()
