"""tokalign.BatchOrder as batch_sampler= of a real torch DataLoader gives
torch's own batches (RandomSampler under torch.manual_seed, DistributedSampler
with set_epoch, SequentialSampler), epoch after epoch."""
import pytest

import torch  # noqa: E402  (Debian python3-torch, required)
from torch.utils.data import DataLoader, DistributedSampler, RandomSampler  # noqa: E402

import tokalign  # noqa: E402


def rows(loader):
    return [b.tolist() for b in loader]


@pytest.mark.parametrize("n,bs,drop_last", [(32, 4, False), (33, 4, False), (33, 4, True), (10, 1, False),
                                            (7, 16, False), (1000, 32, True)])
@pytest.mark.parametrize("seed", [0, 42, 1234])
def test_random_sampler(n, bs, drop_last, seed):
    data = list(range(100, 100 + n))
    torch.manual_seed(seed)
    ref_loader = DataLoader(data, batch_size=bs, sampler=RandomSampler(data), drop_last=drop_last)
    ref = [rows(ref_loader) for _ in range(3)]  # three epochs of the same loader
    torch.manual_seed(seed + 1)  # our order must not depend on torch's generator
    order = tokalign.BatchOrder("torch", "random", n, bs, seed=seed, drop_last=drop_last)
    ours_loader = DataLoader(data, batch_sampler=order)
    ours = [rows(ours_loader) for _ in range(3)]
    assert ours == ref
    assert len(ours_loader) == len(ref_loader)


@pytest.mark.parametrize("n,world,bs", [(32, 2, 4), (33, 2, 4), (35, 4, 3), (5, 3, 2)])
@pytest.mark.parametrize("seed", [0, 7])
@pytest.mark.parametrize("shuffle", [True, False])
def test_distributed_sampler(n, world, bs, seed, shuffle):
    data = list(range(n))
    for rank in range(world):
        for epoch in (0, 1, 5):
            s = DistributedSampler(data, num_replicas=world, rank=rank, shuffle=shuffle, seed=seed)
            s.set_epoch(epoch)
            ref = rows(DataLoader(data, batch_size=bs, sampler=s))
            order = tokalign.BatchOrder("torch", "distributed", n, bs, seed=seed, epoch=epoch, rank=rank,
                                        world_size=world, shuffle=shuffle)
            assert rows(DataLoader(data, batch_sampler=order)) == ref
            assert rows(DataLoader(data, batch_sampler=order)) == ref  # no drift without set_epoch
            order.set_epoch(epoch + 1)
            s.set_epoch(epoch + 1)
            assert rows(DataLoader(data, batch_sampler=order)) == rows(DataLoader(data, batch_size=bs, sampler=s))


@pytest.mark.parametrize("n,bs,drop_last", [(32, 4, False), (33, 5, True), (3, 8, False)])
def test_sequential(n, bs, drop_last):
    data = list(range(n))
    ref = rows(DataLoader(data, batch_size=bs, drop_last=drop_last))
    order = tokalign.BatchOrder("torch", "sequential", n, bs, drop_last=drop_last)
    assert rows(DataLoader(data, batch_sampler=order)) == ref
    assert len(order) == len(ref)


def test_paddle_orders_match_the_pipeline_goldens():
    """Paddle's BatchSampler(shuffle=True) after np.random.seed(42) and
    DistributedBatchSampler(shuffle=True): the goldens' batch_indices."""
    import json

    from conftest import golden

    meta = json.load(open(golden("pipeline", "bert_pdshuffle42_bs4_paddle.json")))["meta"]
    assert tokalign.BatchOrder("paddle", "random", 32, 4, seed=42).batches() == meta["batch_indices"]
    for r in (0, 1):
        meta = json.load(open(golden("pipeline", "bert_pddist2r%d_bs4_paddle.json" % r)))["meta"]
        order = tokalign.BatchOrder("paddle", "distributed", 32, 4, rank=r, world_size=2, shuffle=True)
        assert order.batches() == meta["batch_indices"]


def test_errors_are_the_references():
    with pytest.raises(ValueError):
        tokalign.BatchOrder("torch", "distributed", 10, 2, rank=2, world_size=2)
    with pytest.raises(ValueError):
        tokalign.BatchOrder("jax", "random", 10, 2, seed=1)
