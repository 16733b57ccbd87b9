# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""The loop of `mujun.rules.TransverseMercator`: lon/lat onto a transverse Mercator plane, in place, by Krüger's
series as Evenden and Snyder give them (PROJ's `tmerc approx`, term by term), the meridian arc summed from its
sine series (`arc`: coefficients on the unit ellipsoid, constant first).

PROJ takes each vertex through a pipeline of steps and is twice as slow at the eleven million vertices of a million
parcels; here each vertex is one pass of arithmetic (built with -ffp-contract=off: no fused multiply-adds).
"""

from libc.math cimport HUGE_VAL, cos, fabs, sin, sqrt

cdef double DEG_TO_RAD = 0.017453292519943296
cdef double HALF_PI = 1.5707963267948966


cdef inline double meridian_arc(double phi, double s, double c, const double[::1] arc) noexcept nogil:
    """arc[0]·φ + Σ arc[j]·sin 2jφ (Clenshaw's sum, from sin φ and cos φ)."""
    cdef double two_cos = 2. * (c - s) * (c + s), b1 = 0., b2 = 0., b
    cdef Py_ssize_t j
    for j in range(arc.shape[0] - 1, 0, -1):
        b = arc[j] + two_cos * b1 - b2
        b2 = b1
        b1 = b
    return arc[0] * phi + b1 * 2. * s * c


def project(double[::1] x, double[::1] y, double a, double es, double k0, double lon0, double lat0, double x0, double y0,
            const double[::1] arc):
    """Longitudes `x` and latitudes `y` (degrees) made eastings and northings (metres) in place: ellipsoid of
    semi-major axis `a` and squared eccentricity `es`, scale `k0` on the meridian `lon0`, origin at latitude `lat0`
    (degrees), false easting and northing `x0`, `y0`. More than 90° from the meridian: infinite, as in PROJ."""
    cdef double esp = es / (1. - es), lam0 = lon0 * DEG_TO_RAD, phi0 = lat0 * DEG_TO_RAD
    cdef double ml0 = meridian_arc(phi0, sin(phi0), cos(phi0), arc)
    cdef double lam, phi, sinphi, cosphi, t, al, als, n
    cdef Py_ssize_t i
    with nogil:
        for i in range(x.shape[0]):
            lam, phi = x[i] * DEG_TO_RAD - lam0, y[i] * DEG_TO_RAD
            if lam < -HALF_PI or lam > HALF_PI:
                x[i], y[i] = HUGE_VAL, HUGE_VAL
                continue
            sinphi, cosphi = sin(phi), cos(phi)
            t = sinphi / cosphi if fabs(cosphi) > 1e-10 else 0.
            t *= t
            al = cosphi * lam
            als = al * al
            al /= sqrt(1. - es * sinphi * sinphi)
            n = esp * cosphi * cosphi
            x[i] = a * (k0 * al * (1. + als / 6. * (1. - t + n + als / 20. * (
                5. + t * (t - 18.) + n * (14. - 58. * t) + als / 42. * (61. + t * (t * (179. - t) - 479.)))))) + x0
            y[i] = a * (k0 * (meridian_arc(phi, sinphi, cosphi, arc) - ml0 + sinphi * al * lam / 2. * (1. + als / 12. * (
                5. - t + n * (9. + 4. * n) + als / 30. * (
                    61. + t * (t - 58.) + n * (270. - 330. * t) + als / 56. * (1385. + t * (t * (543. - t) - 3111.))))))) + y0
