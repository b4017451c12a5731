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

#[cfg(test)]
mod tests {
    use super::*;

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
