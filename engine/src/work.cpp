// SPDX-License-Identifier: MIT
#include <afterwork/detail/work.h>

#include "work_p.h"

#include <QtCore/QHash>
#include <QtCore/QMutex>

#include <cxxabi.h>
#include <dlfcn.h>

#include <cstdlib>
#include <memory>

namespace afterwork::detail {

namespace {
QString lookUpFunctionPointerLabel(const void *address, const std::type_info &type);
}

QString demangle(const char *mangled)
{
    int status = 0;
    std::unique_ptr<char, decltype(&std::free)> text(abi::__cxa_demangle(mangled, nullptr, nullptr, &status),
                                                      &std::free);
    return status == 0 && text ? QString::fromUtf8(text.get()) : QString::fromUtf8(mangled);
}

const std::type_info *currentExceptionType()
{
    return abi::__cxa_current_exception_type();
}

QString typeLabel(const std::type_info &type)
{
    QString name = demangle(type.name());
    // Lambdas demangle to "main::{lambda(int)#1}" or "Foo::bar()::{lambda()#2}": say "lambda".
    if (name.contains(QLatin1String("{lambda")))
        return QStringLiteral("lambda");
    return name;
}

QString functionPointerLabel(const void *address, const std::type_info &type)
{
    // dladdr() and demangling are slow; a program schedules few distinct functions.
    static QMutex cacheMutex;
    static QHash<const void *, QString> cache;
    {
        QMutexLocker lock(&cacheMutex);
        if (auto it = cache.constFind(address); it != cache.constEnd())
            return *it;
    }
    QString label = lookUpFunctionPointerLabel(address, type);
    QMutexLocker lock(&cacheMutex);
    cache.insert(address, label);
    return label;
}

namespace {
QString lookUpFunctionPointerLabel(const void *address, const std::type_info &type)
{
    Dl_info info{};
    if (dladdr(address, &info) && info.dli_sname) {
        QString name = demangle(info.dli_sname);
        const qsizetype paren = name.indexOf(QLatin1Char('('));
        return paren > 0 ? name.left(paren) : name; // "sendEmail(QString const&)" -> "sendEmail"
    }
    // Not in the dynamic symbol table (a static function, or an executable linked without
    // -rdynamic): C++ cannot name it at run time. AFTERWORK_FN(f) or named() give it its name.
    Q_UNUSED(type);
    return QStringLiteral("function");
}

} // namespace

} // namespace afterwork::detail
