#!/bin/bash
# t_bridge_sites311.sh - t_bridge_sites.sh with MQTT 3.1.1, which has no
# no-local: the bridges must recognise their own messages themselves.
BRIDGE_PROTOCOL=3.1.1 exec bash "$(dirname "$0")/t_bridge_sites.sh"
