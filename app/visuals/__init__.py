"""The 3D twin scene: meshes, bindings from telemetry, IMU fusion and the vispy scene.

Only `twinbench.visuals.scene` imports vispy (through `twinbench.visuals.vispy_setup`); the mesh,
binding and fusion modules are plain numpy so they can be tested and used without OpenGL.
"""
