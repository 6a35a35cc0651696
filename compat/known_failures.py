"""The corpus scripts that do not run unchanged under glassnet yet, and why.

tests/test_compat_corpus.py marks each of these xfail(strict=True) with its
reason: when one starts to run unchanged its test fails until it is taken
off this list, so the list (and the README's figure) cannot go stale.
The reasons name the first error and the other missing names the script
uses; (P1)-(P3) are the parts of issue #18 being written alongside: (P1)
`.data` as a detached Tensor sharing memory, (P2) the missing API (device,
cuda, dtype aliases, legacy constructors, torch.utils.data, DataLoader
keywords, topk / narrow / new_*, Variable), (P3) the Transformer family.
"""
KNOWN_FAILURES: dict[str, str] = {
    "attention_sdpa": "torch.roll is missing (not part of issue #18's list)",
    "char_gru_lm": "torch.long is missing (P2)",
    "char_rnn_classifier": "torch.long is missing (P2); p.data.add_(p.grad.data, alpha=...) "
                           "needs .data as a Tensor (P1)",
    "cnn_classifier": "the module path torch.utils.data is missing (P2); torch.long (P2)",
    "dataset_dataloader": "the module path torch.utils.data and DataLoader's num_workers= / "
                          "pin_memory= are missing (P2)",
    "device_handling": "torch.device, torch.cuda.is_available, device= on factory functions "
                       "and .to(device) are missing (P2)",
    "legacy_variable": "torch.autograd.Variable, torch.FloatTensor / torch.LongTensor and "
                       ".type(torch.FloatTensor) are missing (P2); w.data -= ... needs .data "
                       "as a Tensor (P1)",
    "lstm_tagger": "torch.long is missing (P2)",
    "nn_really": "the module path torch.utils.data is missing (P2)",
    "polynomial_data_update": ".data is a NumPy array, so p.data.add_(p.grad, alpha=-lr) and "
                              "p.grad.data.zero_() fail (P1)",
    "quickstart": "the module path torch.utils.data (P2), torch.device / torch.cuda (P2), "
                  "torch.float (P2); torch.load(path, weights_only=True): gn.load takes no "
                  "weights_only (not part of issue #18's list)",
    "save_load_checkpoint": "torch.load(path, weights_only=True): gn.load takes no weights_only "
                            "keyword (not part of issue #18's list; without it the script runs "
                            "and agrees)",
    "topk_accuracy": "Tensor.narrow, Tensor.topk and new_zeros / new_ones / new_full / "
                     "new_tensor are missing (P2)",
    "transformer_encoder_classifier": "nn.TransformerEncoder is missing (P3)",
    "transformer_seq2seq": "nn.Transformer is missing (P3)",
    "word_lm_lstm": "torch.long, Tensor.narrow and new_zeros are missing (P2); "
                    "p.data.add_(p.grad, alpha=-lr) needs .data as a Tensor (P1)",
}
