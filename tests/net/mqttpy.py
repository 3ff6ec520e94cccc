#!/usr/bin/env python3
"""An MQTT client for the bridge tests that is not mcast: paho-mqtt.

  mqttpy.py pub HOST PORT TOPIC COUNT SIZE PREFIX [QOS]
      publish COUNT messages "PREFIX N " padded with '.' to SIZE bytes
      (N = 1..COUNT), wait until all are out (QoS 1: acknowledged), print
      {"sent": COUNT} and exit 0.
  mqttpy.py sub HOST PORT TOPIC SECONDS [QOS]
      subscribe, print each message as one JSON line {"topic", "len",
      "head" (the first 40 bytes, as text), "user"} (psub: and "body", the
      first 4096) until SECONDS of
      silence, then exit 0. "user" lists the message's MQTT 5 user
      properties. Says "subscribed" on stderr once the broker has
      acknowledged the subscription.
  mqttpy.py psub HOST PORT TOPIC SECONDS CLIENT_ID [QOS]
      the same with a persistent session (MQTT 3.1.1, clean session off,
      client id CLIENT_ID) that outlives the broker: when the connection
      goes, it connects again every 0.2 s, and the broker keeps its
      subscription and its messages meanwhile.
"""
import json
import sys
import time

import paho.mqtt.client as mqtt


def connect(host, port):
    c = mqtt.Client(protocol=mqtt.MQTTv5)
    c.connect(host, int(port), keepalive=30)
    return c


def pub(host, port, topic, count, size, prefix, qos=0):
    c = connect(host, port)
    c.loop_start()
    infos = []
    for n in range(1, int(count) + 1):
        body = ("%s %d " % (prefix, n)).encode()
        body = body + b"." * max(0, int(size) - len(body))
        infos.append(c.publish(topic, body, qos=int(qos)))
    for i in infos:
        i.wait_for_publish(10)
    c.loop_stop()
    c.disconnect()
    print(json.dumps({"sent": int(count)}))


def sub(host, port, topic, seconds, qos=0):
    state = {"last": time.time()}

    def on_message(c, u, m):
        state["last"] = time.time()
        props = getattr(m.properties, "UserProperty", []) if m.properties else []
        print(json.dumps({"topic": m.topic, "len": len(m.payload),
                          "head": m.payload[:40].decode("utf-8", "replace"),
                          "user": props}), flush=True)

    def on_subscribe(c, u, mid, rc, props=None):
        print("subscribed", file=sys.stderr, flush=True)

    c = connect(host, port)
    c.on_message = on_message
    c.on_subscribe = on_subscribe
    c.subscribe(topic, qos=int(qos))
    while time.time() - state["last"] < float(seconds):
        c.loop(0.1)
    c.disconnect()


def psub(host, port, topic, seconds, client_id, qos=1):
    state = {"last": time.time(), "up": False}

    def on_message(c, u, m):
        state["last"] = time.time()
        print(json.dumps({"topic": m.topic, "len": len(m.payload),
                          "head": m.payload[:40].decode("utf-8", "replace"),
                          "body": m.payload[:4096].decode("utf-8", "replace"),
                          "user": []}), flush=True)

    def on_connect(c, u, flags, rc):
        state["up"] = rc == 0
        if rc == 0 and not flags.get("session present"):
            c.subscribe(topic, qos=int(qos))

    def on_subscribe(c, u, mid, granted):
        print("subscribed", file=sys.stderr, flush=True)

    def on_disconnect(c, u, rc):
        state["up"] = False

    c = mqtt.Client(client_id=client_id, clean_session=False,
                    protocol=mqtt.MQTTv311)
    c.on_message = on_message
    c.on_connect = on_connect
    c.on_subscribe = on_subscribe
    c.on_disconnect = on_disconnect
    c.connect(host, int(port), keepalive=30)
    while time.time() - state["last"] < float(seconds):
        if c.loop(0.1) != mqtt.MQTT_ERR_SUCCESS:
            time.sleep(0.2)
            try:
                c.reconnect()
            except OSError:
                pass
    c.disconnect()


if __name__ == "__main__":
    {"pub": pub, "sub": sub, "psub": psub}[sys.argv[1]](*sys.argv[2:])
