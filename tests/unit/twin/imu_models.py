"""A board with an `imu` component (a writable property and a command), for component tests."""

IMU_BOARD = [
    {
        "@context": "dtmi:dtdl:context;3",
        "@id": "dtmi:x:Imu;1",
        "@type": "Interface",
        "contents": [
            {"@type": "Property", "name": "sampleRate", "schema": "integer", "writable": True},
            {"@type": "Command", "name": "calibrate"},
        ],
    },
    {
        "@context": "dtmi:dtdl:context;3",
        "@id": "dtmi:x:Board;1",
        "@type": "Interface",
        "contents": [
            {"@type": "Component", "name": "imu", "schema": "dtmi:x:Imu;1"},
            {"@type": "Command", "name": "reboot"},
        ],
    },
]
