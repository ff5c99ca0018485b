{
  "targets": [
    {
      "target_name": "livecap",
      "sources": ["livecap.c"],
      "cflags": ["-O2", "-Wall", "-Wno-unused-parameter"],
      "libraries": ["-lpcap"]
    }
  ]
}
