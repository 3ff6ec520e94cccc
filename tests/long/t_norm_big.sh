#!/bin/bash
# tests/net/t_norm_loss.sh with the issue's sizes: a 64 MiB random file to
# three receivers, one of them behind 5% and then 20% loss (the 20% run
# with a 4 MiB file), every copy byte-identical.
NORM_BIG=1 exec bash "$(dirname "$0")/../net/t_norm_loss.sh"
