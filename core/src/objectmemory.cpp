#include "objectmemory.h"

#include <iso/detail/unique_function.h>

namespace iso::detail {

void* allocate_task(std::size_t size) { return allocate_object(size); }
void free_task(void* memory) noexcept { free_object(memory); }

} // namespace iso::detail
