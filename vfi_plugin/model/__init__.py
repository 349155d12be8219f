"""The interpolation network and its weights; nothing about files of video."""
from .config import ModelConfig
from .net import Net, NetOutput, loss_fn
from .weights import load_net, read_metadata, reconfigured, save_weights, transplant

__all__ = ["ModelConfig", "Net", "NetOutput", "loss_fn", "load_net", "read_metadata", "reconfigured", "save_weights",
           "transplant"]
