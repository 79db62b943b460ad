/*
** Opening a file the user named for reading: data sets, baselines, plugins.
** Only regular files are read.  A FIFO with no writer would block open()
** until one appears, which is for ever when none will, and a directory or a
** device is no data; both are the user's input error, reported at once.
*/
#ifndef TPC_FILE_H
#define TPC_FILE_H

/* Open path read-only (close-on-exec) into *fd; TPC_EINPUT "cannot open
** 'path': reason", or "'path' is not a regular file (a FIFO)" naming what
** it is instead.  The check is on the open descriptor, so the file cannot
** change between the check and the reads. */
int tpc_file_open_regular(const char *path, int *fd);

#endif
