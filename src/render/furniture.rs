//! Map furniture shared by the screen and exports: the scale bar and the
//! north arrow.

/// A scale bar: a round ground length and how many pixels it spans.
#[derive(Clone, Debug, PartialEq)]
pub struct ScaleBar {
    pub metres: f64,
    pub pixels: f32,
    pub label: String,
}

/// The longest "nice" length (1, 2 or 5 × 10ⁿ metres) that fits in `max_px`.
pub fn scale_bar(ground_mpp: f64, max_px: f32) -> ScaleBar {
    let max_m = ground_mpp * max_px as f64;
    let mut best = 1.0;
    let mut p = 10f64.powi((max_m.max(1e-6)).log10().floor() as i32 - 1);
    for _ in 0..4 {
        for k in [1.0, 2.0, 5.0] {
            if k * p <= max_m {
                best = k * p;
            }
        }
        p *= 10.0;
    }
    let label = if best >= 1000.0 {
        format!("{} km", trim(best / 1000.0))
    } else if best >= 1.0 {
        format!("{} m", trim(best))
    } else {
        format!("{} cm", trim(best * 100.0))
    };
    ScaleBar { metres: best, pixels: (best / ground_mpp) as f32, label }
}

fn trim(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The north arrow as a closed outline around `(0, 0)` (tip up), `size` pixels tall.
pub fn north_arrow(size: f32) -> [[f32; 2]; 4] {
    let h = size / 2.0;
    [[0.0, -h], [h * 0.55, h], [0.0, h * 0.45], [-h * 0.55, h]]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scale_bar_is_a_round_number_that_fits() {
        let s = scale_bar(1.37, 120.0);
        assert_eq!(s.metres, 100.0);
        assert!(s.pixels <= 120.0 && s.pixels > 50.0);
        assert_eq!(s.label, "100 m");
        assert_eq!(scale_bar(30.0, 120.0).label, "2 km");
        assert_eq!(scale_bar(0.03, 120.0).label, "2 m");
    }
}
