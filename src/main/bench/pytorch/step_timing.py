"""One timed training step, shared by the training-step benchmark's references (unet_step.py, twin_step.py): forward,
cross-entropy averaged over every voxel (the product's weighted CE with every weight 1), backward and the optimiser's
step, on a fixed batch; the process's RSS high-water mark with the times."""
import resource
import time

from torch import nn


def timed_steps(net, opt, x, y, warmup, steps):
    """Times `steps` training steps after `warmup` untimed ones; returns times_s, median_s and peak_rss_mb."""
    loss_fn = nn.CrossEntropyLoss()
    times = []
    for s in range(warmup + steps):
        t = time.perf_counter()
        opt.zero_grad()
        loss = loss_fn(net(x), y)
        loss.backward()
        opt.step()
        # .item() waits for the GPU, so each step's time includes its kernels (as our await data() does).
        loss.item()
        if s >= warmup:
            times.append(time.perf_counter() - t)
    ordered = sorted(times)
    return {
        'times_s': times,
        'median_s': ordered[len(ordered) // 2],
        # ru_maxrss is in KiB on Linux.
        'peak_rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
