"""Model.history: the library's rows per step, epoch and validation, read during and after fit, and as CSV."""

import math
import os
import tempfile
import unittest

import nnlite
from support import TextFile, blobs, small_model

HEADER = ("kind,epoch,step,loss,accuracy,val_loss,val_accuracy,learning_rate,samples_per_s,tokens_per_s,"
          "elapsed_s")


class HistoryTest(unittest.TestCase):
    def setUp(self):
        self.x, self.y = blobs(60)

    def test_epochs_record_steps_and_epochs_as_reported(self):
        model = small_model()
        seen = []

        def check(p):  # the row of this report is already there
            row = model.history[-1]
            self.assertEqual(row["kind"], "epoch" if p.epoch_end else "step")
            self.assertEqual(row["step"], p.step)
            self.assertEqual(row["loss"], p.loss if p.epoch_end else p.step_loss)
            self.assertEqual(row["learning_rate"], p.learning_rate)
            self.assertEqual(row["samples_per_s"], p.samples_per_second)
            if p.epoch_end:
                self.assertEqual(row["accuracy"], p.accuracy)
                self.assertEqual(row["val_loss"], p.val_loss)
            seen.append(p.step)

        model.fit(self.x, self.y, epochs=2, batch_size=16, validation_data=(self.x[:30], self.y[:30]), verbose=0,
                  callback=check)
        history = model.history
        self.assertEqual(len(history), 2 * 4 + 2)  # 60 samples in batches of 16: 4 steps an epoch
        self.assertEqual(len(seen), len(history))
        self.assertEqual(history.column("step", kind="epoch"), [4, 8])
        self.assertEqual(len(history.rows("step")), 8)
        self.assertTrue(all(math.isnan(v) for v in history.column("val_loss", kind="step")))
        self.assertTrue(all(math.isnan(v) for v in history.column("tokens_per_s")))
        self.assertFalse(history.truncated)
        self.assertEqual(history.columns, HEADER.split(","))
        with self.assertRaises(IndexError):
            history[len(history)]
        with self.assertRaises(KeyError):
            history.column("nonsense")

    def test_csv_and_interval(self):
        model = small_model()
        model.fit(self.x, self.y, epochs=2, batch_size=16, verbose=0, history_interval=3)
        self.assertEqual(model.history.column("step"), [3, 4, 6, 8])  # steps 3 and 6, epochs at 4 and 8
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "run.csv")
            model.history.write_csv(path)
            with open(path) as f:
                lines = f.read().splitlines()
            with self.assertRaises(nnlite.FileError):
                model.history.write_csv(os.path.join(folder, "missing", "run.csv"))
        self.assertEqual(lines[0], HEADER)
        self.assertEqual(len(lines), 1 + 4)
        self.assertTrue(lines[1].startswith("step,1,3,"))
        self.assertTrue(lines[2].startswith("epoch,1,4,"))
        model.fit(self.x, self.y, epochs=1, batch_size=60, verbose=0, history_interval=-1)
        self.assertEqual(model.history.column("kind"), ["epoch"])  # a new fit, a new history

    def test_gpt_training_records_tokens_per_second(self):
        corpus = TextFile()
        self.addCleanup(corpus.close)
        data = nnlite.TextDataset(corpus.path)
        gpt = nnlite.GPT(data.tokenizer, n_layer=1, n_head=2, n_embd=8, block_size=8)
        reports = []
        gpt.train(data, iters=4, batch_size=2, eval_interval=2, eval_batches=1, warmup_iters=1, verbose=0,
                  callback=reports.append)
        history = gpt.model.history
        self.assertEqual(history.column("kind"), ["step", "step", "validation", "step", "step", "validation"])
        self.assertEqual(history.column("tokens_per_s", kind="step"), [p.tokens_per_second for p in reports])
        self.assertEqual(history.column("val_loss", kind="validation"),
                         [p.val_loss for p in reports if not math.isnan(p.val_loss)])

if __name__ == "__main__":
    unittest.main()
