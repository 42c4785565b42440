"""Demand classes by average inter-demand interval (ADI) and squared coefficient of variation (CV²).

Syntetos, Boylan & Croston (2005): ADI < 1.32 and CV² < 0.49 smooth; ADI < 1.32, CV² ≥ 0.49 erratic;
ADI ≥ 1.32, CV² < 0.49 intermittent; both above lumpy. CV² is taken over the non-zero demands.
"""

import numpy as np

ADI_CUT = 1.32
CV2_CUT = 0.49

SMOOTH, ERRATIC, INTERMITTENT, LUMPY, NO_DEMAND = "smooth", "erratic", "intermittent", "lumpy", "none"
CLASSES = (SMOOTH, ERRATIC, INTERMITTENT, LUMPY, NO_DEMAND)


def classify(y0: np.ndarray, start: np.ndarray, end: int | None = None) -> dict[str, np.ndarray]:
    """ADI, CV² and class of every item over its observed periods before ``end``."""
    n, t_len = y0.shape
    end = t_len if end is None else end
    window = y0[:, :end]
    observed = np.arange(end)[None, :] >= start[:, None]
    demand = (window > 0) & observed
    count = demand.sum(axis=1)
    periods = np.maximum(end - start, 0)
    adi = np.divide(periods, count, out=np.full(n, np.inf), where=count > 0)
    sizes = np.where(demand, window, 0.0)
    mean = np.divide(sizes.sum(axis=1), count, out=np.zeros(n), where=count > 0)
    var = np.divide(
        (np.where(demand, (window - mean[:, None]) ** 2, 0.0)).sum(axis=1),
        count,
        out=np.zeros(n),
        where=count > 0,
    )
    cv2 = np.divide(var, mean**2, out=np.zeros(n), where=mean > 0)
    klass = np.where(
        count == 0,
        NO_DEMAND,
        np.where(
            adi < ADI_CUT,
            np.where(cv2 < CV2_CUT, SMOOTH, ERRATIC),
            np.where(cv2 < CV2_CUT, INTERMITTENT, LUMPY),
        ),
    )
    return {"adi": adi, "cv2": cv2, "klass": klass.astype(object), "demand_periods": count}
