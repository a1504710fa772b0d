// SPDX-License-Identifier: MIT
#pragma once

// A task's Phase, Mode and WorkKind are the event stream's vocabulary, defined once in the
// protocol library (Afterwork::Protocol) so that the engine, its publisher and every reader agree.
#include <afterwork/protocol/wire.h>
