"""Standard normal functions in numpy (no scipy at run time): cdf, pdf, quantile and the loss function.

``norm_cdf`` uses the complementary error function of Numerical Recipes (erfcc, relative error
< 1.2e-7); ``norm_ppf`` is Acklam's rational approximation refined by one Halley step (error
< 1e-9). Both work elementwise on arrays.
"""

import numpy as np

SQRT2 = np.sqrt(2.0)
INV_SQRT2PI = 1.0 / np.sqrt(2.0 * np.pi)


def _erfc(x: np.ndarray) -> np.ndarray:
    z = np.abs(x)
    t = 1.0 / (1.0 + 0.5 * z)
    poly = (
        -z * z
        - 1.26551223
        + t
        * (
            1.00002368
            + t
            * (
                0.37409196
                + t
                * (
                    0.09678418
                    + t
                    * (
                        -0.18628806
                        + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))
                    )
                )
            )
        )
    )
    r = t * np.exp(poly)
    return np.where(x >= 0, r, 2.0 - r)


def norm_pdf(x):
    x = np.asarray(x, dtype=float)
    return INV_SQRT2PI * np.exp(-0.5 * x * x)


def norm_cdf(x):
    x = np.asarray(x, dtype=float)
    return 0.5 * _erfc(-x / SQRT2)


def norm_loss(x):
    """Standard normal loss G(k) = E[(Z - k)^+] = pdf(k) - k (1 - cdf(k))."""
    x = np.asarray(x, dtype=float)
    return norm_pdf(x) - x * (1.0 - norm_cdf(x))


_A = (
    -3.969683028665376e01,
    2.209460984245205e02,
    -2.759285104469687e02,
    1.383577518672690e02,
    -3.066479806614716e01,
    2.506628277459239e00,
)
_B = (-5.447609879822406e01, 1.615858368580409e02, -1.556989798598866e02, 6.680131188771972e01, -1.328068155288572e01)
_C = (
    -7.784894002430293e-03,
    -3.223964580411365e-01,
    -2.400758277161838e00,
    -2.549732539343734e00,
    4.374664141464968e00,
    2.938163982698783e00,
)
_D = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e00, 3.754408661907416e00)


def norm_ppf(p):
    """Quantile of the standard normal for 0 < p < 1."""
    p = np.clip(np.asarray(p, dtype=float), 1e-12, 1 - 1e-12)
    q = np.where(p < 0.5, p, 1.0 - p)
    lo = q < 0.02425
    r = np.sqrt(-2.0 * np.log(np.where(lo, q, 0.5)))
    tail = (((((_C[0] * r + _C[1]) * r + _C[2]) * r + _C[3]) * r + _C[4]) * r + _C[5]) / (
        (((_D[0] * r + _D[1]) * r + _D[2]) * r + _D[3]) * r + 1.0
    )
    u = q - 0.5
    s = u * u
    mid = (
        (((((_A[0] * s + _A[1]) * s + _A[2]) * s + _A[3]) * s + _A[4]) * s + _A[5])
        * u
        / (((((_B[0] * s + _B[1]) * s + _B[2]) * s + _B[3]) * s + _B[4]) * s + 1.0)
    )
    x = np.where(lo, tail, mid)  # quantile of q (<= 0.5), i.e. negative
    x = np.where(p < 0.5, x, -x)
    # One Halley step on the cdf.
    e = norm_cdf(x) - p
    u = e / np.maximum(norm_pdf(x), 1e-300)
    return x - u / (1.0 + x * u / 2.0)


def norm_loss_inverse(g):
    """k such that G(k) = g, for g > 0 (G is strictly decreasing). Bisection on [-6, 8], vectorised."""
    g = np.asarray(g, dtype=float)
    lo = np.full(g.shape, -6.0)
    hi = np.full(g.shape, 8.0)
    for _ in range(50):
        mid = 0.5 * (lo + hi)
        above = norm_loss(mid) > g
        lo = np.where(above, mid, lo)
        hi = np.where(above, hi, mid)
    return 0.5 * (lo + hi)
