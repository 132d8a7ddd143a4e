"""Lifetimes: nothing freed twice, children keep parents alive, close() is idempotent, use after close raises."""

import gc
import unittest

import nnlite
from nnlite._handle import CObject
from support import blobs, needs_numpy, small_model


class CObjectTest(unittest.TestCase):
    """The lifetime rules themselves, with a Python function standing in for the C destructor."""

    def test_freed_once_when_the_last_reference_goes(self):
        freed = []
        obj = CObject(0x1000, freed.append)
        child = CObject(0x2000, None, (obj,))
        del obj
        self.assertEqual(freed, [])
        del child
        self.assertEqual(freed, [0x1000])

    def test_transfer_moves_the_duty_to_free(self):
        freed = []
        owner = CObject(0x1000, freed.append)
        layer = CObject(0x2000, freed.append)
        layer.transfer(owner)
        del owner
        self.assertEqual(freed, [])  # the layer keeps its new owner alive
        del layer
        self.assertEqual(freed, [0x1000])  # only the owner is freed; it frees the layer in C

    def test_forget(self):
        freed = []
        obj = CObject(0x1000, freed.append)
        obj.forget("freed elsewhere")
        del obj
        self.assertEqual(freed, [])


class HandleTest(unittest.TestCase):
    def test_close_is_idempotent_and_use_after_close_raises(self):
        cases = [(lambda: nnlite.Tensor((2,)), lambda t: t.shape), (lambda: nnlite.Dense(3), lambda l: l.type),
                 (nnlite.Adam, lambda o: o.steps), (lambda: nnlite.Model((4,)), len),
                 (lambda: nnlite.Dataset([[1.0]], [0]), len), (lambda: nnlite.Tokenizer("ab"), len)]
        for make, use in cases:
            handle = make()
            with self.subTest(type(handle).__name__):
                use(handle)
                self.assertFalse(handle.closed)
                handle.close()
                handle.close()
                self.assertTrue(handle.closed)
                self.assertIn("(closed)", repr(handle))
                with self.assertRaises(nnlite.StateError) as ctx:
                    use(handle)
                self.assertIn("used after close()", ctx.exception.message)
                self.assertEqual(ctx.exception.status, nnlite.Status.STATE)

    def test_context_manager_closes(self):
        with nnlite.Model((4,), [nnlite.Dense(2)]) as model:
            self.assertEqual(len(model), 1)
        self.assertTrue(model.closed)
        with self.assertRaises(nnlite.StateError):
            len(model)

    def test_layer_keeps_its_model_alive(self):
        dense = nnlite.Dense(3)
        model = nnlite.Model((4,), [dense])
        model.close()
        del model
        gc.collect()
        self.assertEqual(dense.output_shape, (3,))
        self.assertEqual(dense.params()[0].value.shape, (4, 3))

    def test_weight_view_keeps_the_model_alive(self):
        model = small_model()
        x, y = blobs(60)
        model.fit(x, y, epochs=1, verbose=0)
        kernel = model.layers[0].params()[0].value
        expected = kernel.tolist()
        view = kernel.memoryview()
        del model, kernel
        gc.collect()
        self.assertEqual(view.tolist(), expected)

    def test_layer_cannot_join_two_models(self):
        dense = nnlite.Dense(3)
        first = nnlite.Model((4,), [dense])
        with self.assertRaises(nnlite.StateError):
            nnlite.Model((4,), [dense])
        del first
        gc.collect()
        self.assertEqual(dense.output_shape, (3,))

    def test_layers_from_a_model_are_not_freed_by_python(self):
        model = nnlite.Model((4,), [nnlite.Dense(3), nnlite.Dense(2)])
        for _ in range(3):
            layers = model.layers
            for layer in layers:
                layer.close()
            del layers
            gc.collect()
        self.assertEqual(model.output_shape, (2,))
        self.assertEqual([layer.type for layer in model.layers], ["dense", "dense"])

    def test_compile_takes_the_optimizer(self):
        model = nnlite.Model((4,), [nnlite.Dense(3, activation="softmax")])
        adam = nnlite.Adam()
        model.compile(adam)
        self.assertIs(model.optimizer, adam)
        with self.assertRaises(nnlite.StateError):
            nnlite.Model((4,), [nnlite.Dense(3, activation="softmax")]).compile(adam)
        x, y = blobs(30)
        model.fit(x, y, epochs=1, batch_size=10, verbose=0)
        self.assertEqual(adam.steps, 3)
        model.compile(adam)  # the same optimizer again: kept
        self.assertEqual(adam.steps, 3)
        sgd = nnlite.SGD()
        model.compile(sgd)  # frees adam in C
        with self.assertRaises(nnlite.StateError) as ctx:
            adam.steps
        self.assertIn("replaced", ctx.exception.message)
        del model
        gc.collect()
        self.assertEqual(sgd.steps, 0)  # keeps its model alive

    def test_borrowed_tokenizers_keep_their_owner_alive(self):
        tok = nnlite.Tokenizer("hello world")
        gpt = nnlite.GPT(tok, n_layer=1, n_head=1, n_embd=8, block_size=4)
        tok.close()  # the model has its own copy
        borrowed = gpt.tokenizer
        gpt.close()
        del gpt
        gc.collect()
        self.assertEqual(borrowed.decode(borrowed.encode("hello")), "hello")

    def test_many_objects_come_and_go(self):
        for i in range(200):
            model = nnlite.Model((4,), [nnlite.Dense(8), nnlite.Dropout(0.1), nnlite.Dense(3)])
            model.compile(nnlite.AdamW())
            tensors = [p.value for layer in model.layers for p in layer.params()]
            if i % 2:
                model.close()
            del model
            self.assertTrue(all(t.size > 0 for t in tensors))
        gc.collect()


@needs_numpy
class NumpyOwnershipTest(unittest.TestCase):
    def test_numpy_weights_outlive_everything(self):
        model = small_model()
        weights = model.layers[0].params()[0].value.numpy()
        expected = weights.copy()
        model.close()
        del model
        gc.collect()
        self.assertTrue((weights == expected).all())
        self.assertTrue((weights[1:3] == expected[1:3]).all())

    def test_dataset_arrays_are_copied(self):
        import numpy as np
        x = np.ones((4, 2), dtype=np.float32)
        ds = nnlite.Dataset(x, np.array([0, 1, 0, 1]))
        x[:] = 5
        del x
        gc.collect()
        self.assertEqual(ds.get_batch(0, 4)[0].numpy().tolist(), [[1, 1]] * 4)


if __name__ == "__main__":
    unittest.main()
