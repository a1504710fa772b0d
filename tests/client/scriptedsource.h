// SPDX-License-Identifier: MIT
#pragma once

#include <afterwork/client/eventsource.h>

namespace afterwork::testing {

//! A source fed by the test, through the same splitting, parsing and checks as the real ones.
class ScriptedSource final : public client::EventSource
{
public:
    void start() override
    {
        beginConnection();
        setState(State::Connected);
        Q_EMIT connected();
    }
    void stop() override { setState(State::Idle); }
    QString description() const override { return QStringLiteral("script"); }
    void feed(QByteArrayView bytes) { ingest(bytes); }
    void end() { endConnection(); }
};

} // namespace afterwork::testing
