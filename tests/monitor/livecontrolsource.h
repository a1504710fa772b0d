// SPDX-License-Identifier: MIT
#pragma once

// A real TaskEngine and EventPublisher in the test's process, for the tests that act on a source
// (cancel, drain): one pool thread held by a blocker, so that what is scheduled next stays live.

#include "../support/socketnames.h"

#include <afterwork/eventpublisher.h>
#include <afterwork/taskengine.h>

#include <QtCore/QSemaphore>

#include <functional>
#include <memory>

namespace afterwork::monitortest {

using namespace std::chrono_literals;

//! An engine with one pool thread held by a blocker, so that tasks scheduled next stay queued
//! (live) until the test ends; a publisher on a unique socket.
struct LiveSource
{
    explicit LiveSource(bool allowControl, std::function<void(std::chrono::milliseconds)> onDrain = {})
        : engine(TaskConfig{}, EngineOptions{.maxThreads = 1})
    {
        publisher = new EventPublisher(&engine, PublisherOptions{.app = QStringLiteral("control-gui"),
                                                                  .heartbeatInterval = 200ms,
                                                                  .allowControl = allowControl,
                                                                  .onDrain = std::move(onDrain)});
        name = testing::uniqueSocketName("controlgui");
        listening = publisher->listen(name);
        engine.task(TaskConfig{.name = QStringLiteral("blocker")}).schedule([release = release] {
            release->tryAcquire(1, 20000); // bounded, in case the test fails before releasing it
        });
    }
    ~LiveSource() { release->release(); }

    Task queued(const QString &taskName) { return engine.task(TaskConfig{.name = taskName}).schedule([] {}); }

    std::shared_ptr<QSemaphore> release = std::make_shared<QSemaphore>();
    TaskEngine engine;
    EventPublisher *publisher = nullptr;
    QString name;
    bool listening = false;
};

} // namespace afterwork::monitortest
