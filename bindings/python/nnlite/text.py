"""Text for language models: a UTF-8 code-point tokenizer and text data sets with train/validation splits."""

import ctypes

from . import _buffers, _paths
from ._api import C
from ._handle import CObject, Handle

_STRICT, _REPLACE_INVALID, _STRIP_ANSI, _SPECIAL_TOKENS = 0, 1, 2, 4
#: Ids of the special tokens of a ``Tokenizer(..., special_tokens=True)``
#: (``NNL_TOKEN_*``); UNK is every tokenizer's id 0.
UNK, PAD, CLS, SEP, MASK = 0, 1, 2, 3, 4
_SPLITS = {"train": 0, "validation": 1, "val": 1}


def _flags(replace_invalid, strip_ansi):
    return (_REPLACE_INVALID if replace_invalid else _STRICT) | (_STRIP_ANSI if strip_ansi else 0)


def _utf8(text):
    return text.encode("utf-8") if isinstance(text, str) else bytes(text)


def split_code(split):
    """The ``nnl_text_split`` of ``"train"`` or ``"validation"`` (``"val"``)."""
    try:
        return _SPLITS[split]
    except KeyError:
        raise ValueError("nnlite: split must be 'train' or 'validation', got %r" % (split,)) from None


class Tokenizer(Handle):
    """Maps each Unicode code point of a vocabulary to an id (``nnl_tokenizer``).

    ``Tokenizer(text)`` takes the distinct code points of ``text`` (str or
    UTF-8 bytes) in increasing order as ids 1..n; id 0 is the unknown token.
    With ``special_tokens`` ids 1..4 are ``[PAD]`` ``[CLS]`` ``[SEP]``
    ``[MASK]`` (``PAD`` ... ``MASK``) and the code points start at 5; no text
    encodes to them. Invalid UTF-8 raises FormatError unless
    ``replace_invalid``; ``strip_ansi`` drops ANSI escape sequences first.
    Immutable, so usable from many threads at once.
    """

    def __init__(self, text, *, replace_invalid=False, strip_ansi=False, special_tokens=False):
        data = _utf8(text)
        out = ctypes.c_void_p()
        flags = _flags(replace_invalid, strip_ansi) | (_SPECIAL_TOKENS if special_tokens else 0)
        C.nnl_tokenizer_create(ctypes.byref(out), data, len(data), flags)
        super().__init__(CObject(out.value, C.nnl_tokenizer_free))

    @classmethod
    def _borrowed(cls, address, owner):
        """The tokenizer at ``address`` that the C object ``owner`` owns."""
        tokenizer = cls.__new__(cls)
        Handle.__init__(tokenizer, CObject(address, None, (owner,)))
        return tokenizer

    @property
    def vocab_size(self):
        """Number of ids, the unknown token included."""
        return C.nnl_tokenizer_vocab_size(self._address)

    @property
    def num_special(self):
        """Ids before the first code point: 1, or 5 with the special tokens."""
        return C.nnl_tokenizer_num_special(self._address)

    def __len__(self):
        return self.vocab_size

    def __repr__(self):
        if self.closed:
            return "<nnlite.Tokenizer (closed)>"
        return "<nnlite.Tokenizer %d tokens>" % self.vocab_size

    def encode(self, text, *, replace_invalid=False, strip_ansi=False):
        """The ids of ``text`` (str or UTF-8 bytes) as an int32 array; unknown characters become 0."""
        address = self._address
        data = _utf8(text)
        flags = _flags(replace_invalid, strip_ansi)
        count = ctypes.c_int64()
        C.nnl_tokenizer_encode(address, data, len(data), flags, None, 0, ctypes.byref(count))
        ids_address, ids = _buffers.new((count.value,), "i")
        C.nnl_tokenizer_encode(address, data, len(data), flags, ids_address, count.value, ctypes.byref(count))
        return ids

    def decode(self, ids):
        """The text of a sequence of ids (the unknown token becomes U+FFFD)."""
        address = self._address
        ids_address, shape, owner = _buffers.to_c(ids, "i")
        if len(shape) != 1:
            raise ValueError("nnlite: decode() takes a 1-D sequence of ids, got shape %s" % (tuple(shape),))
        length = ctypes.c_size_t()
        C.nnl_tokenizer_decode(address, ids_address, shape[0], None, 0, ctypes.byref(length))
        buf = ctypes.create_string_buffer(length.value + 1)
        C.nnl_tokenizer_decode(address, ids_address, shape[0], buf, len(buf), None)
        return buf.raw[:length.value].decode("utf-8")

    def piece(self, token):
        """The text of one id."""
        piece = C.nnl_tokenizer_piece(self._address, token)
        if piece is None:
            raise IndexError("nnlite: token id %d is outside [0, %d)" % (token, self.vocab_size))
        return piece.decode("utf-8")


class TextDataset(Handle):
    """A UTF-8 text file as one token sequence (``nnl_text_dataset``): the first 90% is the
    ``"train"`` split, the last 10% the ``"validation"`` split.

    ``tokenizer`` gives the vocabulary (copied); by default one is built from
    the whole file, with the special tokens when ``special_tokens``.
    ``strip_ansi`` drops ANSI escapes (fortune files have them); ``seed``
    seeds the window sampler. Raises FileError, FormatError
    (invalid UTF-8, with the byte offset) or InvalidArgumentError (a text
    shorter than 20 tokens).
    """

    def __init__(self, path, tokenizer=None, *, strip_ansi=False, replace_invalid=False, seed=0,
                 special_tokens=False):
        out = ctypes.c_void_p()
        C.nnl_text_dataset_load(ctypes.byref(out), _paths.encode(path),
                                tokenizer._address if tokenizer is not None else None,
                                _flags(replace_invalid, strip_ansi) | (_SPECIAL_TOKENS if special_tokens else 0),
                                seed)
        super().__init__(CObject(out.value, C.nnl_text_dataset_free))

    @property
    def tokenizer(self):
        """The data set's tokenizer (it keeps the data set alive)."""
        return Tokenizer._borrowed(C.nnl_text_dataset_tokenizer(self._address), self._c)

    def length(self, split="train"):
        """Number of tokens in a split."""
        return C.nnl_text_dataset_length(self._address, split_code(split))

    def __repr__(self):
        if self.closed:
            return "<nnlite.TextDataset (closed)>"
        return "<nnlite.TextDataset %d training and %d validation tokens>" % (self.length("train"),
                                                                              self.length("validation"))

    def sample(self, batch, block_size, split="train"):
        """``batch`` random windows of ``block_size + 1`` consecutive ids, as a (batch, block_size + 1) array.

        Advances the data set's seeded generator (one thread at a time).
        """
        tokens_address, tokens = _buffers.new((batch, block_size + 1), "i")
        C.nnl_text_dataset_sample(self._address, split_code(split), batch, block_size, tokens_address)
        return tokens
