"""One timed training step, shared by the training-step benchmark's references (unet_step.py, twin_step.py): forward,
cross-entropy averaged over every voxel (the product's weighted CE with every weight 1), backward and the optimiser's
step, on a fixed batch; the median step's wall and CPU time and the process's RSS high-water mark."""
import resource
import time

from torch import nn


def timed_steps(net, opt, x, y, warmup, steps):
    """Times `steps` training steps after `warmup` untimed ones; returns times_s, median_s, cpu_median_s, peak_rss_mb."""
    loss_fn = nn.CrossEntropyLoss()
    times = []
    cpu_times = []
    for s in range(warmup + steps):
        t = time.perf_counter()
        c = time.process_time()
        opt.zero_grad()
        loss = loss_fn(net(x), y)
        loss.backward()
        opt.step()
        # .item() waits for the GPU, so each step's time includes its kernels (as our await data() does).
        loss.item()
        if s >= warmup:
            times.append(time.perf_counter() - t)
            # CPU time of every thread of the process: a step waiting for a core on a shared machine does not count.
            cpu_times.append(time.process_time() - c)
    return {
        'times_s': times,
        'median_s': sorted(times)[len(times) // 2],
        'cpu_median_s': sorted(cpu_times)[len(cpu_times) // 2],
        # ru_maxrss is in KiB on Linux.
        'peak_rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
