import numpy as np

def project(x: np.ndarray, y: np.ndarray, a: float, es: float, k0: float, lon0: float, lat0: float, x0: float, y0: float,
            arc: np.ndarray) -> None: ...
