from scrutiny.evaluation import main

main()
