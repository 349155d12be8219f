"""mixed_loader: batches mixing synthetic-motion samples and real-video windows."""
from __future__ import annotations

import os

import numpy as np
import torch
from torch.utils.data import DataLoader

from .synthetic import IndexedSamples, SyntheticMotion
from .video import VideoWindows


class MixedSource(IndexedSamples):
    """Sample i is VideoWindows.sample(i) with probability `video_fraction`, else
    SyntheticMotion.sample(i) (decided by (seed, i)); worker-aware like both sources."""

    def __init__(self, synthetic: SyntheticMotion, video: VideoWindows | None,
                 video_fraction: float, seed: int = 0, start: int = 0) -> None:
        super().__init__()
        if video is None and video_fraction > 0:
            raise ValueError("video_fraction > 0 needs a VideoWindows source")
        self.synthetic, self.video = synthetic, video
        self.video_fraction = float(video_fraction)
        self.seed, self.start = int(seed), int(start)

    def sample(self, index: int) -> dict[str, torch.Tensor]:
        pick = np.random.default_rng([self.seed, int(index), 2]).random()
        if self.video is not None and pick < self.video_fraction:
            sample = self.video.sample(index)
            if self.synthetic.with_flow:  # real video: flow unknown, masked out of the loss
                sample["flow"] = torch.zeros(4, *sample["target"].shape[-2:])
                sample["flow_valid"] = torch.tensor(0.0)
            return sample
        return self.synthetic.sample(index)


def mixed_loader(photos_dir: str | os.PathLike[str], videos_dir: str | os.PathLike[str],
                 batch: int, patch: int, video_fraction: float = 0.4, workers: int = 1,
                 seed: int = 0, *, still_fraction: float = 0.33, max_disp: float = 40.0,
                 min_disp: float = 1.0,
                 with_flow: bool = False, photo_max_side: int = 960) -> DataLoader:
    """An endless DataLoader of {"frames": [B, 4, 3, P, P], "target": [B, 3, P, P]} mixing
    synthetic motion (1 - video_fraction) and TRAIN video windows (video_fraction); with
    `with_flow`, also "flow" [B, 4, P, P] and "flow_valid" [B] (0 for video windows).

    Photos and videos are decoded once here, before the workers fork (they share them);
    each of the `workers` processes renders its own share (0: in this process).
    """
    synthetic = SyntheticMotion(photos_dir, patch=patch, seed=seed, still_fraction=still_fraction,
                                max_disp=max_disp, min_disp=min_disp, with_flow=with_flow,
                                photo_max_side=photo_max_side)
    video = VideoWindows(videos_dir, patch=patch, seed=seed) if video_fraction > 0 else None
    source = MixedSource(synthetic, video, video_fraction, seed)
    return DataLoader(source, batch_size=batch, num_workers=workers,
                      persistent_workers=workers > 0, prefetch_factor=4 if workers > 0 else None)
