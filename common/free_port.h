#pragma once

// A TCP port on 127.0.0.1 that nothing listens on right now.

namespace leakbench {

// Binds port 0 on loopback, reads the port the kernel chose and closes the
// socket. Another process can take the port before the caller binds it, so
// use it only where a collision fails loudly. Throws when no socket can be
// bound.
int FreeLoopbackPort();

}  // namespace leakbench
