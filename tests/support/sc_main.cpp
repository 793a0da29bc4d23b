// libsystemc refers to sc_main (its own main() calls it). The unit tests
// that link the SystemC system run Catch's main instead (test_main.cpp), and
// each test that simulates calls sc_start itself, so this is never entered.
extern "C" int sc_main(int, char**) { return 1; }  // C linkage, as <systemc> declares it
