"""The 3D twin's data side: meshes, bindings from telemetry, IMU fusion, level of detail.

Plain numpy, no vispy or Qt, so it can be tested and used headless; the vispy scene that draws it
is `twinbench.widgets.scene3d` (vispy imported through `twinbench.widgets.vispy_setup`).
"""
