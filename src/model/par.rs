//! Work split over the cores in contiguous chunks of one slice: each thread
//! fills its own chunk in place, so a result the size of the plan is
//! allocated (and first touched) once, not once a thread and again to join.

use std::ops::Range;

/// Runs `work(first, chunk)` on contiguous chunks of `slots` (`first` is the
/// chunk's index in `slots`), one a core (at most eight), and returns each
/// chunk's range in `slots` with what its work returned, in slice order.
/// Fewer than `least` slots a core are done on this thread, in one chunk. A
/// chunk whose thread panicked gives `None`, its slots as far as it got.
pub fn chunks<T: Send, R: Send>(
    slots: &mut [T],
    least: usize,
    work: impl Fn(usize, &mut [T]) -> R + Sync,
) -> Vec<(Range<usize>, Option<R>)> {
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(8);
    let threads = cores.min(slots.len() / least.max(1)).max(1);
    if threads == 1 {
        return vec![(0..slots.len(), Some(work(0, slots)))];
    }
    let step = slots.len().div_ceil(threads);
    let work = &work;
    std::thread::scope(|s| {
        let handles: Vec<_> = slots
            .chunks_mut(step)
            .enumerate()
            .map(|(k, chunk)| (k * step..k * step + chunk.len(), s.spawn(move || work(k * step, chunk))))
            .collect();
        handles.into_iter().map(|(range, h)| (range, h.join().ok())).collect()
    })
}

/// Runs `work` on each block of `0..n`, `block` indices at a time (the last
/// may be shorter), the blocks shared out one run a core as [`chunks`] does,
/// and returns the blocks' results in order. The blocks do not depend on the
/// number of cores, so a fold of the results in order (a sum of floats) is
/// the same on every machine. A panic in `work` is raised again here.
pub fn blocks<R: Send>(n: usize, block: usize, work: impl Fn(Range<usize>) -> R + Sync) -> Vec<R> {
    let block = block.max(1);
    let mut out: Vec<Option<R>> = std::iter::repeat_with(|| None).take(n.div_ceil(block)).collect();
    let done = chunks(&mut out, 1, |first, slots| {
        for (k, slot) in slots.iter_mut().enumerate() {
            let start = (first + k) * block;
            *slot = Some(work(start..(start + block).min(n)));
        }
    });
    assert!(done.iter().all(|(_, r)| r.is_some()), "a block's work panicked");
    out.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_cover_the_indices_once_in_order_whatever_the_cores() {
        for (n, block) in [(0, 5), (1, 5), (5, 5), (6, 5), (10_001, 1000), (7, 0)] {
            let got = blocks(n, block, |r| r);
            let flat: Vec<usize> = got.iter().flat_map(|r| r.clone()).collect();
            assert_eq!(flat, (0..n).collect::<Vec<_>>(), "{n} by {block}");
            assert!(got.iter().all(|r| r.len() <= block.max(1) && !r.is_empty()), "{n} by {block}");
        }
    }

    #[test]
    #[should_panic] // "a block's work panicked", or the block's own message on one core
    fn a_panic_in_a_block_is_raised_again() {
        blocks(100_000, 10, |r| assert!(!r.contains(&77_777), "the bad index"));
    }

    #[test]
    fn every_slot_is_filled_once_in_order_and_results_come_in_slice_order() {
        for n in [0, 1, 7, 999, 10_000] {
            let mut slots = vec![usize::MAX; n];
            let done = chunks(&mut slots, 100, |first, chunk| {
                for (k, s) in chunk.iter_mut().enumerate() {
                    assert_eq!(*s, usize::MAX, "filled twice");
                    *s = first + k;
                }
                (first, chunk.len())
            });
            assert!(slots.iter().enumerate().all(|(i, s)| *s == i), "{n} slots");
            let mut next = 0;
            for (range, r) in done {
                let (first, len) = r.expect("no panic");
                assert_eq!((range.start, first, range.len()), (next, next, len));
                next = range.end;
            }
            assert_eq!(next, n);
        }
    }
}
