/* Empty translation unit: lets the shim define the static library variable mediasoup's meson.build reads. */
int giaoban_mediasoup_shim_libuv(void) { return 0; }
