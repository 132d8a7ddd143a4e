"""nnlite.sgemm against a product computed by hand."""

import array
import unittest

import nnlite
from support import needs_numpy


def matmul(a, b):
    return [[sum(a[i][k] * b[k][j] for k in range(len(b))) for j in range(len(b[0]))] for i in range(len(a))]


def transpose(m):
    return [list(row) for row in zip(*m)]


class SgemmTest(unittest.TestCase):
    a = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    b = [[1.0, -1.0], [0.5, 2.0], [-2.0, 0.0]]

    def test_product_and_transposes(self):
        expected = matmul(self.a, self.b)
        self.assertEqual(nnlite.sgemm(self.a, self.b).tolist(), expected)
        self.assertEqual(nnlite.sgemm(transpose(self.a), self.b, trans_a=True).tolist(), expected)
        self.assertEqual(nnlite.sgemm(self.a, transpose(self.b), trans_b=True).tolist(), expected)
        self.assertEqual(nnlite.sgemm(self.a, self.b, alpha=2.0).tolist(), [[2 * v for v in row] for row in expected])

    def test_accumulate_in_place(self):
        c = array.array("f", [1.0] * 4)
        c2d = memoryview(c).cast("B").cast("f", (2, 2))
        self.assertIs(nnlite.sgemm(self.a, self.b, c2d, beta=1.0), c2d)
        self.assertEqual(list(c), [v + 1 for row in matmul(self.a, self.b) for v in row])

    def test_shape_errors(self):
        with self.assertRaises(ValueError):
            nnlite.sgemm(self.a, self.a)
        with self.assertRaises(ValueError):
            nnlite.sgemm([1.0, 2.0], self.b)
        with self.assertRaises(ValueError):
            nnlite.sgemm(self.a, self.b, memoryview(array.array("f", [0.0] * 6)).cast("B").cast("f", (2, 3)))

    @needs_numpy
    def test_numpy(self):
        import numpy as np
        rng = np.random.default_rng(1)
        a = rng.random((37, 129), dtype=np.float32)
        b = rng.random((129, 19), dtype=np.float32)
        self.assertTrue(np.allclose(nnlite.sgemm(a, b), a @ b, rtol=1e-5))
        c = np.ones((37, 19), dtype=np.float32)
        nnlite.sgemm(a, b, c, alpha=0.5, beta=2.0)
        self.assertTrue(np.allclose(c, 0.5 * (a @ b) + 2.0, rtol=1e-5))


if __name__ == "__main__":
    unittest.main()
