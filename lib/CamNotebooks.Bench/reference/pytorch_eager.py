# Run: apt-get install python3-torch, then /usr/bin/python3 lib/CamNotebooks.Bench/reference/pytorch_eager.py
# (not part of the build or the tests; the README's speed table quotes its output beside `Bench model`).
# PyTorch eager reference: the same ResNet shape as the chapters' body ([2,2,2,3] basic blocks, 64..512 channels),
# eval mode, batch norm modules (not folded), default memory layout, no_grad; median of 15 after 3 warm-ups.
import time, statistics, torch, torch.nn as nn
class Block(nn.Module):
    def __init__(s, i, o, stride):
        super().__init__()
        s.conv1=nn.Conv2d(i,o,3,stride,1,bias=False); s.bn1=nn.BatchNorm2d(o); s.relu=nn.ReLU()
        s.conv2=nn.Conv2d(o,o,3,1,1,bias=False); s.bn2=nn.BatchNorm2d(o)
        s.down = nn.Sequential(nn.Conv2d(i,o,1,stride,bias=False), nn.BatchNorm2d(o)) if stride!=1 or i!=o else None
    def forward(s,x):
        y=s.bn2(s.conv2(s.relu(s.bn1(s.conv1(x)))))
        return s.relu(y + (s.down(x) if s.down is not None else x))
def stage(i,o,n,stride): return nn.Sequential(Block(i,o,stride),*[Block(o,o,1) for _ in range(n-1)])
body=nn.Sequential(nn.Conv2d(3,64,7,2,3,bias=False),nn.BatchNorm2d(64),nn.ReLU(),nn.MaxPool2d(3,2,1),
    stage(64,64,2,1),stage(64,128,2,2),stage(128,256,2,2),stage(256,512,3,2),nn.AdaptiveAvgPool2d(1),nn.Flatten()).eval()
torch.manual_seed(0)
print(f"torch {torch.__version__}")
print("threads batch  eager ms")
for threads in (1,2):
    torch.set_num_threads(threads)
    for batch in (1,16):
        x=torch.randn(batch,3,224,224)
        with torch.no_grad():
            for _ in range(3): body(x)
            t=[]
            for _ in range(15):
                s=time.perf_counter(); body(x); t.append((time.perf_counter()-s)*1000)
        print(f"{threads:7d} {batch:5d} {statistics.median(t):9.1f}")
