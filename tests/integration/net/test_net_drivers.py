"""TCP client and UDP listener drivers on loopback sockets, with the shared decoders."""

from __future__ import annotations

import socket
import threading
import time

import numpy as np

from twinbench.runtime import Runtime


def wait_for(cond, timeout=10.0):
    end = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < end, "condition not met in time"
        time.sleep(0.02)


def test_tcp_client_decodes_and_reconnects():
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]
    rt = Runtime()
    got = []
    drv = rt.add_driver(
        "tcp", {"host": "127.0.0.1", "port": port, "decoder": "csv", "device_id": "gw"}
    )
    rt.add_consumer("t", got.extend, policy="block")
    rt.start()
    try:
        conn, _ = server.accept()
        conn.sendall(b"1,2\n3,")
        conn.sendall(b"4\nbad\n")
        wait_for(lambda: sum(len(c) for c in got) >= 2)
        conn.close()  # the gateway drops the connection: the driver reconnects by itself
        conn2, _ = server.accept()
        conn2.sendall(b"5,6\n")
        wait_for(lambda: sum(len(c) for c in got) >= 3)
        rt.call(drv.write(b"hello\n")).result(5)
        conn2.settimeout(5)
        assert conn2.recv(100) == b"hello\n"
        conn2.close()
    finally:
        rt.stop()
        server.close()
    vals = np.concatenate([c.values for c in got])
    assert vals.tolist() == [[1, 2], [3, 4], [5, 6]]
    assert drv.loss()["malformed"] == 1
    assert drv.stream is None
    states = [e.data.get("state") for e in rt.events.recent if e.kind == "connection"]
    assert states[:3] == ["connected", "disconnected", "connected"]


def test_udp_listener_one_datagram_one_frame():
    rt = Runtime()
    got = []
    drv = rt.add_driver(
        "udp", {"host": "127.0.0.1", "port": 0, "decoder": "quickplot", "device_id": "u"}
    )
    rt.add_consumer("t", got.extend, policy="block")
    rt.start()
    try:
        wait_for(lambda: drv.sock is not None)
        port = drv.bound_port
        tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        for i in range(5):
            tx.sendto(f"temp:{20 + i} hum:{40 + i}".encode(), ("127.0.0.1", port))
        tx.sendto(b"\xff\xfe garbage", ("127.0.0.1", port))
        wait_for(lambda: sum(len(c) for c in got) >= 5)
        rt.call(drv.write(b"ping")).result(5)
        tx.settimeout(5)
        assert tx.recvfrom(100)[0] == b"ping"
        tx.close()
    finally:
        rt.stop()
    vals = np.concatenate([c.values for c in got])
    assert got[0].channels == ("temp", "hum")
    assert vals[:, 0].tolist() == [20, 21, 22, 23, 24]


def test_udp_multicast_group():
    group = "239.255.42.99"
    rt = Runtime()
    got = []
    drv = rt.add_driver(
        "udp",
        {"host": "0.0.0.0", "port": 0, "group": group, "decoder": "csv", "device_id": "m"},
    )
    rt.add_consumer("t", got.extend, policy="block")
    rt.start()
    try:
        wait_for(lambda: drv.sock is not None)
        tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        tx.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 1)
        tx.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
        stop = threading.Event()

        def send():
            while not stop.is_set():
                tx.sendto(b"7,8\n", (group, drv.bound_port))
                stop.wait(0.05)

        th = threading.Thread(target=send)
        th.start()
        try:
            wait_for(lambda: len(got) >= 1)
        finally:
            stop.set()
            th.join()
            tx.close()
    finally:
        rt.stop()
    assert got[0].values[0].tolist() == [7, 8]
