from herald.local.runner import main

main()
