// Catch2 entry point shared by all unit tests.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
