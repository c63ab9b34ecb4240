# Shared by the mpirun test scripts (distributed_test.sh, two_hosts_test.sh): source it after
# cli_lib.sh.
# In a container without CAP_SYS_PTRACE, Open MPI's shared-memory transport fails to copy large
# messages between processes directly (process_vm_readv, errno 1): copy through the shared segment.
export OMPI_MCA_btl_vader_single_copy_mechanism=none
# A tiny model on 301 copy pairs: with 3 ranks x batch 1 an epoch's last batch holds one pair.
# SGD: Adam divides each gradient by its own running size, so where a gradient is nothing but
# rounding noise (the key projection's bias, which softmax ignores) it turns the noise of another
# summation order into whole steps of --lr; SGD keeps rounding differences at rounding size.
mpi_train_args=(train --task copy --max-length 6 --task-size 301 --optimizer sgd --d-model 16 --heads 2 --d-ff 32
                --enc-layers 1 --dec-layers 1 --label-smoothing 0 --lr 0.05 --lr-schedule constant --warmup-steps 0
                --valid-size 20 --threads 1 --seed 7)
