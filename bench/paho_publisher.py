"""Baseline publisher for bench/wire.ts: Eclipse paho-mqtt (Debian python3-paho-mqtt, run
with /usr/bin/python3), publishing the seeds' JSON reading
{"device_id", "measurement", "value", "unit", "timestamp"} the way a plain paho script does:
connect, loop_start, publish every INTERVAL seconds, wait for the acknowledgements,
disconnect.

  paho_publisher.py HOST PORT QOS KEEPALIVE COUNT INTERVAL CLIENT_ID TOPIC DEVICE

The payload is json.dumps(reading) with its defaults (", " and ": " separators, "°" escaped
as \\u00b0), as a plain script writes it. Prints DONE when every publish is complete.
"""
import datetime
import json
import sys
import time

import paho.mqtt.client as mqtt


def main():
    host, port, qos, keepalive = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    count, interval, client_id, topic, device = int(sys.argv[5]), float(sys.argv[6]), sys.argv[7], sys.argv[8], sys.argv[9]
    client = mqtt.Client(client_id=client_id, clean_session=True, protocol=mqtt.MQTTv311)
    client.connect(host, port, keepalive=keepalive)
    client.loop_start()
    infos = []
    start = time.monotonic()
    for i in range(count):
        delay = start + i * interval - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        reading = {
            "device_id": device,
            "measurement": "temperature",
            "value": round(21.4 + (i % 7) / 10, 1),
            "unit": "°C",
            "timestamp": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
        }
        infos.append(client.publish(topic, json.dumps(reading).encode("utf-8"), qos=qos))
    for info in infos:
        info.wait_for_publish()
    # stay connected for the rest of the last interval, as the node does, so keepalive behaviour shows
    time.sleep(interval)
    client.disconnect()
    client.loop_stop()
    print("DONE", flush=True)


if __name__ == "__main__":
    main()
