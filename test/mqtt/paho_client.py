"""The seeds' client for interop tests (test/mqtt/paho.test.ts): Eclipse paho-mqtt, as
packaged by Debian (python3-paho-mqtt), driven from the command line.

  paho_client.py sub HOST PORT QOS COUNT TOPIC...   prints READY after SUBACK, then one
                                                    JSON line per message, exits after COUNT
  paho_client.py pub HOST PORT QOS TOPIC PAYLOAD... publishes each payload (UTF-8) in order,
                                                    waits for every acknowledgement, prints DONE
"""
import json
import os
import sys

import paho.mqtt.client as mqtt


def main():
    mode, host, port, qos = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    client = mqtt.Client(client_id="paho-%s-%d" % (mode, os.getpid()), clean_session=True, protocol=mqtt.MQTTv311)
    state = {"received": 0}

    if mode == "sub":
        count, topics = int(sys.argv[5]), sys.argv[6:]

        def on_connect(c, userdata, flags, rc):
            if rc != 0:
                print("CONNACK %d" % rc, flush=True)
                sys.exit(2)
            c.subscribe([(t, qos) for t in topics])

        def on_subscribe(c, userdata, mid, granted):
            print("READY %s" % json.dumps(list(granted)), flush=True)

        def on_message(c, userdata, message):
            print(json.dumps({"topic": message.topic, "payload": message.payload.hex(), "qos": message.qos, "retain": bool(message.retain)}), flush=True)
            state["received"] += 1
            if state["received"] >= count:
                c.disconnect()

        client.on_connect = on_connect
        client.on_subscribe = on_subscribe
        client.on_message = on_message
        client.connect(host, port, keepalive=30)
        client.loop_forever()
    elif mode == "pub":
        topic, payloads = sys.argv[5], sys.argv[6:]
        client.connect(host, port, keepalive=30)
        client.loop_start()
        infos = [client.publish(topic, p.encode("utf-8"), qos=qos) for p in payloads]
        for info in infos:
            info.wait_for_publish()
        client.disconnect()
        client.loop_stop()
        print("DONE", flush=True)
    else:
        raise SystemExit("unknown mode " + mode)


if __name__ == "__main__":
    main()
