"""Family guidance (bimbingan sosial keluarga): group sessions, series of them, attendance."""
