// A failed start a person can act on (a port in use, missing credentials): main prints the message
// alone, without a stack trace, and exits 1 after everything the start had begun is stopped.
export class StartError extends Error {
  override readonly name = 'StartError';
}

/** What a failed listen() means, and the flag that fixes it. */
export function listenError(error: NodeJS.ErrnoException, port: number, address: string): Error {
  switch (error.code) {
    case 'EADDRINUSE':
      return new StartError(`port ${port} on ${address} is already in use (another aws-service-apiserver?): stop that process, or choose another port with --port N`);
    case 'EACCES':
      return new StartError(`not allowed to listen on port ${port}: choose a port above 1023 with --port N`);
    case 'EADDRNOTAVAIL':
      return new StartError(`${address} is not an address of this machine: choose one with --bind-address (127.0.0.1, or 0.0.0.0 for every interface)`);
    default:
      return error;
  }
}
