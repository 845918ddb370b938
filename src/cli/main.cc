#include <iostream>
int main() { std::cout << "airlock\n"; return 0; }
